"""Tests of hipectrial.analysis.figures."""

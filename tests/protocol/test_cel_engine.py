"""The CEL engine is the extension module alone: loading the protocol package does not run
the ``cel`` package's ``__init__`` (its interactive CLI: typer, prompt_toolkit, pygments),
and a later ``import cel`` by anyone gets the same, working extension."""

from __future__ import annotations

import json
import subprocess
import sys

from hipectrial.protocol.cel_engine import engine


def _fresh(code: str) -> object:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_loading_a_protocol_does_not_import_the_cel_command_line_tool():
    code = ("import json, sys\nfrom hipectrial.protocol import load_protocol\nload_protocol()\n"
            "print(json.dumps(sorted({'cel', 'cel.cli', 'prompt_toolkit', 'pygments'} & set(sys.modules))))")
    assert _fresh(code) == []


def test_a_later_import_of_the_cel_package_shares_the_loaded_extension():
    code = ("import json\nfrom hipectrial.protocol.cel_engine import engine\nimport cel\n"
            "print(json.dumps([cel.Context is engine.Context, cel.evaluate('2 * 3'), "
            "engine.evaluate('x + 1', {'x': 41})]))")
    assert _fresh(code) == [True, 6, 42]


def test_an_extension_loaded_by_the_cel_package_first_is_reused():
    code = ("import json, cel\nfrom hipectrial.protocol.cel_engine import engine\n"
            "print(json.dumps([engine is cel.cel, engine.evaluate('1 < 2')]))")
    assert _fresh(code) == [True, True]


def test_the_engine_compiles_and_evaluates_with_a_context():
    program = engine.compile("anc >= 1.5 && platelets >= 100")
    assert sorted(program.variables()) == ["anc", "platelets"]
    assert program.execute(engine.Context({"anc": 1.5, "platelets": 99})) is False
    assert program.execute(engine.Context({"anc": 1.5, "platelets": 100})) is True

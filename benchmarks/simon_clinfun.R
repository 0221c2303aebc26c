# Times clinfun's ph2simon (Simon two-stage search) for benchmarks/design.py, in the same run.
#
# Rscript simon_clinfun.R SOURCE REPEAT CASES...
#   SOURCE  "package" to use library(clinfun), or a directory holding clinfun's R/ph2simon.R
#           as ph2simon.R and its src/ph2simon.f compiled to ph2simon.so, e.g.
#           gfortran -O2 -fPIC -shared -o ph2simon.so ph2simon.f
#   REPEAT  timed batches per case (the fastest batch is printed)
#   CASES   "p0,p1,alpha,power,nmax" each
# Prints one line per case: p0 p1 alpha power nmax ms_per_call, then the optimal and the
# minimax design as r1 n1 r n EN0 PET0. Times are CPU (user + system) per call.
args <- commandArgs(trailingOnly = TRUE)
source_kind <- args[1]
repeat_count <- as.integer(args[2])
cases <- args[-(1:2)]
if (source_kind == "package") {
  suppressPackageStartupMessages(library(clinfun))
} else {
  dyn.load(file.path(source_kind, "ph2simon.so"))
  code <- paste(readLines(file.path(source_kind, "ph2simon.R")), collapse = "\n")
  # The package's .Fortran call names its DLL; loaded by hand here, the symbol is global.
  code <- sub(",\\s*PACKAGE *= *.clinfun.\\)", ")", code)
  eval(parse(text = code))
}
cpu <- function(t) t[["user.self"]] + t[["sys.self"]]
for (case in cases) {
  v <- as.numeric(strsplit(case, ",")[[1]])
  pu <- v[1]; pa <- v[2]; a <- v[3]; pw <- v[4]; nmax <- v[5]
  x <- ph2simon(pu, pa, a, 1 - pw, nmax)
  calls <- if (nmax > 150) 1 else 5
  times <- sapply(seq_len(repeat_count), function(i) {
    cpu(system.time(for (j in seq_len(calls)) ph2simon(pu, pa, a, 1 - pw, nmax))) / calls
  })
  out <- x$out
  optimal <- out[which(out[, 5] == min(out[, 5]))[1], ]
  minimax <- out[1, ]
  cat(pu, pa, a, pw, nmax, 1000 * min(times),
      sprintf("%d %d %d %d %.10f %.10f", optimal[1], optimal[2], optimal[3], optimal[4], optimal[5], optimal[6]),
      sprintf("%d %d %d %d %.10f %.10f", minimax[1], minimax[2], minimax[3], minimax[4], minimax[5], minimax[6]),
      "\n")
}

"""Demo, test and benchmark material (synthetic bills, a scripted model server).

Only the CLI, the evals, the tests and the benchmarks import it; production code never does."""

"""Load benchmark (bench/run_bench.py) and the bench-only Django modules it serves."""

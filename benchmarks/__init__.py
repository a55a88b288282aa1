"""Side-by-side benchmarks: each module runs lapor_core and its peers in one process and prints ratios."""

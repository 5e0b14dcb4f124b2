// Benchmark entry point; see Benchmarks/README.md.
print("{\"status\": \"not yet implemented\"}")

// Package catalogtest generates synthetic cities of stores and programs for
// tests, benchmarks and the load generator: deterministic for a seed, and
// clustered like real cities (a few big ones, a long tail of small ones).
package catalogtest

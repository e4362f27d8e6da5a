//go:build race

package importer_test

// raceEnabled shrinks the big streaming test: -race makes it ten times slower.
const raceEnabled = true

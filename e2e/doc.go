// Package e2e holds end-to-end tests of the phone API over HTTP: the real
// api.Server over a bbolt registry in a temporary directory and the
// catalog, fed through the public endpoints, checked against independent
// computations.
package e2e

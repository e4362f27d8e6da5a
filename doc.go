// Package nearby holds Nearby's domain vocabulary: merchants, stores,
// mini-programs, beacons, events and shakes, their validation rules, and the
// one error type every layer speaks.
//
// It imports only the standard library. Adapters live in subpackages named
// for what they wrap (store for bbolt, api for HTTP, geo for the spatial
// index, ble for Bluetooth LE) and talk to each other through these types.
package nearby

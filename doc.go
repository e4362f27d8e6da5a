// Package nearby holds Nearby's domain vocabulary: merchants, stores,
// mini-programs, beacons, events and shakes, their validation rules, and the
// one error type every layer speaks. A beacon's identity is one type
// everywhere: Identity with its UUID (16 bytes, canonical lower-case
// hyphenated text), whether it comes from JSON, a bbolt record or the air;
// so are the proximity classes and the RSSI distance estimate that the
// daemon and the agent must agree on.
//
// It imports only the standard library. Adapters live in subpackages named
// for what they wrap (store for bbolt, api for HTTP, geo for the spatial
// index, ble for Bluetooth LE) and talk to each other through these types.
package nearby

// Package ble speaks the Bluetooth LE side of Nearby: it builds and parses
// iBeacon and Eddystone advertising frames, estimates distance and proximity
// from RSSI, and provides the radios the beacon agent uses to advertise and to
// notice phones nearby.
//
// Identities and distances are the domain's: [IBeacon.UUID] is a
// nearby.UUID, and [Proximity], [ProximityOf], [CurveFit] and
// [EstimateDistance] are the nearby package's, so that discoveryd resolves
// sightings exactly as the agent tracks them without linking this package
// (which links paypal/gatt on Linux).
//
// # Frames
//
// [IBeacon.AdvertisingData] is the 30-byte advertising data an iBeacon sends
// (the flags AD structure with 0x1A, then Apple's manufacturer-specific AD
// structure), [SetAdvertisingDataParams] wraps it in the 32-byte parameters of
// the HCI LE Set Advertising Data command exactly as the well-known
// `hcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A 1A FF 4C 00 02 15 ...` recipe
// sends it, and [Decode] accepts advertising data (with or without flags,
// zero-padded like Android's scan records), the manufacturer data alone (as
// phone APIs report it), the HCI command parameters and HCI LE Advertising
// Report events. Decoders never panic and say what is wrong: the wrapped
// sentinels are [ErrTruncated], [ErrMalformed] and [ErrNoBeacon].
//
// # Proximity
//
// [EstimateDistance] uses the curve fitted by the AltBeacon Android library
// (Nexus 5 coefficients, see [CurveFit]); [LogDistance] is the textbook
// path-loss model. [Filter] smooths RSSI over a time window with a trimmed
// mean, and [Tracker] turns sightings into enter, exit, proximity and shake
// transitions with hysteresis so that a phone standing still does not flap.
//
// # Radios
//
// The agent sees a radio as Advertise, StopAdvertising, Sightings and Close,
// and optionally SetInterval, the advertising interval the merchant sets
// remotely (on the gatt radio, the HCI LE Set Advertising Parameters sent
// with the next Advertise).
// [Sim] is a seeded, deterministic shop floor: phones with positions in
// metres walk in, linger, shake and leave (or just pass by), and a radio at a
// beacon position hears them with log-distance RSSI plus Gaussian noise,
// fades and dropped readings. [SimRadio] replays it in-process, as fast as it
// is read or at a Speed factor; [AirServer] and [DialAir] carry the same air
// over loopback TCP to agents in other processes. On Linux, GattRadio drives
// a real HCI adapter through github.com/paypal/gatt: it hands the controller
// the same bytes as the hcitool recipe, serves a GATT shake service
// ([ShakeServiceUUID]) and reports phones advertising it.
//
// # Rotating identities
//
// A beacon that opts in to rotation advertises an identity that changes
// every period P seconds (issue 17). discoveryd generates a 16-byte secret
// K per beacon and gives it only to the beacon's agent, in its config. In
// window w = floor(unix_seconds / P) the beacon advertises its merchant's
// fixed proximity UUID (so that apps can still filter by UUID, as iOS
// region monitoring requires) with
//
//	mac   = HMAC-SHA256(K, "nearby-ibeacon-v1" || uint64be(P) || uint64be(w))
//	major = uint16be(mac[0:2]), minor = uint16be(mac[2:4])
//
// ([RotatingIBeacon], implemented by package rotation, which discoveryd
// shares without linking this package). discoveryd accepts window w-1, w
// and w+1 (clock skew of up to one period) and nothing else, so a recorded
// identity is worthless two windows later. For Eddystone the same secret is
// the EID identity key: [RotatingEID] is [ComputeEID] with K as the key,
// the rotation exponent [EIDExponent] (the largest 2^k <= P) and the Unix
// time as the beacon clock. Vectors of both, computed by an independent
// implementation (Python's hmac and the openssl CLI), are in
// testdata/rotation_vectors.json.
//
// Rotation protects against replay: identities heard earlier, or read
// off another store's beacon, do not resolve. It does not protect against
// a live relay that retransmits the current identity elsewhere within the
// window, nor against a stolen agent (which holds K); 32 bits per window
// also bound blind guessing to 3 in 2^32 per try.
//
// # Caveats
//
// RSSI-based distance is rough: bodies, walls and phone models move it by
// several dB, i.e. tens of percent of distance. The simulator is deterministic
// for a seed on one architecture; floating-point fusion may differ between
// architectures, so compare seeds across processes on the same machine. The
// gatt radio cannot be exercised here (no adapter): everything it hands to the
// controller is built and tested by portable code, but not gatt's socket
// handling. paypal/gatt parses advertisements without bounds checks (a
// zero-length AD structure or an empty Tx Power field in a nearby device's
// advertisement panics in its event loop) and logs through the standard
// log package. Phones rotate their Bluetooth addresses, so a phone seen by
// scanning is only pseudonymous for minutes; shakes carry the app's own id.
package ble

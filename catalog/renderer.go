package catalog

import "github.com/nearby-dev/nearby"

// Renderer renders what a nearby answer says of a store and of a program
// (the api's JSON objects). With one, the catalog renders each record once,
// when it is put, and returns the bytes with every result: the encoder of a
// page then copies forty short runs instead of reading each snapshot's
// fields, a cache miss each at a million stores, and escaping them again.
// It must be a pure function of the record: the catalog renders again only
// when the record changes.
type Renderer interface {
	AppendStore(dst []byte, s *nearby.Store) []byte
	AppendProgram(dst []byte, p *nearby.Program) []byte
}

// compactStore returns a shallow copy of s whose strings share one
// allocation, in the order an encoder reads them, with r's brief of s

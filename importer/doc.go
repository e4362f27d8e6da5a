// Package importer parses merchants' store lists, CSV and GeoJSON, as
// streams: one row is decoded, validated and handed to a callback at a
// time, so a file of a million rows never sits in memory.
//
// Every row comes out as a Row carrying either a store that passed
// nearby.Store.Validate or an Err (a *nearby.Error naming the bad fields)
// and its number; a bad row never stops the stream. A broken file
// structure ends it with an error: before any row (no header or a header
// without a required column; JSON that is not a FeatureCollection or not
// JSON at all) an EINVALID *nearby.Error; partway (JSON syntax broken after
// some features, a CSV quote never closed, a record over MaxRecordBytes) a
// *StopError whose Row is the first row not read, so that a caller can keep
// rows 1..Row-1 and say exactly where reading stopped.
//
// One record (a CSV row with its line end, a GeoJSON feature) may hold at
// most MaxRecordBytes (DefaultMaxRecordBytes, 64 KiB): both parsers buffer
// a whole record, and without a cap one unterminated quote would turn the
// rest of the body into a single record held in memory.
//
// # CSV
//
// The header row names the columns, case-insensitively and in any order:
// name, lat, lng and category are required; address, timezone (IANA), tags
// (separated by ';') and hours (JSON, as in the API: {"mon":[["09:00","17:00"]]})
// are optional, other columns are ignored. Row numbers count data records
// from 1 (the header is row 0); a quoted field may span lines, so a row
// number is not always a file line.
//
// Files from elsewhere name their columns differently: CSVOptions.Columns
// maps our field names to theirs, and CSVOptions.DefaultCategory fills an
// absent or empty category. For example the Starbucks directory:
//
//	importer.CSVWith(ctx, f, importer.CSVOptions{
//		Columns: map[string]string{"name": "Store Name", "lat": "Latitude",
//			"lng": "Longitude", "address": "Street Address"},
//		DefaultCategory: "coffee",
//	}, fn)
//
// # GeoJSON
//
// A FeatureCollection of Point features: coordinates are [lng, lat] (GeoJSON
// order; a third altitude value is ignored), properties are name, category,
// address, timezone, hours (an object) and tags (an array); other
// properties are ignored. Features are numbered from 1 in file order. The
// collection is read with encoding/json's token API, one feature value at a
// time. Members other than type and features (bbox, crs, name) are skipped
// token by token.
package importer

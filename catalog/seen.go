package catalog

// idSet is a small open-addressing set of program ids, reused across
// queries: cheaper than a map for the few dozen chains one query meets.
type idSet struct {
	slots []uint64 // 0 is empty; id 0 is tracked by zero
	zero  bool
	n     int
}

func (s *idSet) reset() {
	if len(s.slots) > 4096 {
		s.slots = nil // a huge query should not make every later one clear it
	} else {
		clear(s.slots)
	}
	s.zero, s.n = false, 0
}

func (s *idSet) slot(id uint64) int {
	h := id * 0x9e3779b97f4a7c15
	return int(h >> 32)
}

// add inserts id and reports whether it was new.
func (s *idSet) add(id uint64) bool {
	if id == 0 {
		was := s.zero
		s.zero = true
		return !was
	}
	if 2*(s.n+1) > len(s.slots) {
		s.rehash(max(64, 2*len(s.slots)))
	}
	mask := len(s.slots) - 1
	for i := s.slot(id) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case id:
			return false
		case 0:
			s.slots[i] = id
			s.n++
			return true
		}
	}
}

func (s *idSet) has(id uint64) bool {
	if id == 0 {
		return s.zero
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := len(s.slots) - 1
	for i := s.slot(id) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case id:
			return true
		case 0:
			return false
		}
	}
}

func (s *idSet) rehash(size int) {
	old := s.slots
	s.slots = make([]uint64, size)
	s.n = 0
	mask := size - 1
	for _, id := range old {
		if id == 0 {
			continue
		}
		i := s.slot(id) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = id
		s.n++
	}
}

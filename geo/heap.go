package geo

// cand is a candidate hit ranked by squared chord, then id.
type cand struct {
	c2 float64
	id uint64
}

func cmpCand(a, b cand) int {
	switch {
	case a.c2 < b.c2:
		return -1
	case a.c2 > b.c2:
		return 1
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

func cmpHit(a, b Hit) int {
	switch {
	case a.DistM < b.DistM:
		return -1
	case a.DistM > b.DistM:
		return 1
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func worse(a, b cand) bool { return a.c2 > b.c2 || (a.c2 == b.c2 && a.id > b.id) }

func upMax(h []cand) {
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func downMax(h []cand) {
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func upMin(h []cand) {
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !worse(h[p], h[i]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func downMin(h []cand) {
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[l], h[r]) {
			m = r
		}
		if !worse(h[i], h[m]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

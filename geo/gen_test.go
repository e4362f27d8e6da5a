package geo

import (
	"math"
	"math/rand/v2"
)

// metros are 50 real metropolitan centres (approximate city-centre
// coordinates), largest first; the clustered generator weights them by a
// Zipf-like law, so the first few are much denser than the last.
var metros = []Point{
	{35.68, 139.69}, {28.61, 77.21}, {31.23, 121.47}, {-23.55, -46.63}, {19.43, -99.13},
	{30.04, 31.24}, {19.08, 72.88}, {39.90, 116.40}, {23.81, 90.41}, {34.69, 135.50},
	{40.71, -74.01}, {24.86, 67.01}, {-34.60, -58.38}, {29.56, 106.55}, {41.01, 28.98},
	{22.57, 88.36}, {14.60, 120.98}, {6.52, 3.38}, {-22.91, -43.17}, {39.34, 117.36},
	{-4.44, 15.27}, {23.13, 113.26}, {34.05, -118.24}, {55.76, 37.62}, {22.54, 114.06},
	{31.55, 74.34}, {12.97, 77.59}, {48.86, 2.35}, {4.71, -74.07}, {-6.21, 106.85},
	{13.08, 80.27}, {-12.05, -77.04}, {13.76, 100.50}, {37.57, 126.98}, {35.18, 136.91},
	{17.39, 78.49}, {51.51, -0.13}, {35.69, 51.39}, {41.88, -87.63}, {30.57, 104.07},
	{32.06, 118.80}, {30.59, 114.31}, {10.82, 106.63}, {-8.84, 13.23}, {23.02, 72.57},
	{3.14, 101.69}, {22.32, 114.17}, {24.71, 46.68}, {-33.87, 151.21}, {43.65, -79.38},
}

// clusterParams tune the generator; the defaults give, for query centres
// drawn from the same distribution, about 275 entries within 2 km at the
// median and about 1,400 at p99 (see BenchmarkIndex_Nearby's metrics).
type clusterParams struct {
	noise   float64 // share of points uniform over the sphere
	zipf    float64 // metro weight exponent: w_i = 1/(i+1)^zipf
	sigmaKM float64 // Gaussian spread of the largest metro
	sigmaX  float64 // spread exponent: sigma_i = sigmaKM·(w_i/w_0)^sigmaX
}

var defaultClusters = clusterParams{noise: 0.02, zipf: 0.8, sigmaKM: 11.5, sigmaX: 0.3}

// clusteredPoints returns n deterministic points for seed: (1-noise) of them
// around the metros (each a mix of a dense core and a wider suburb), the
// rest uniform on the sphere.
func clusteredPoints(n int, seed uint64, cp clusterParams) []Point {
	r := rand.New(rand.NewPCG(seed, 0x9e0))
	cum := make([]float64, len(metros))
	total := 0.0
	for i := range metros {
		total += 1 / math.Pow(float64(i+1), cp.zipf)
		cum[i] = total
	}
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = clusteredPoint(r, cum, cp)
	}
	return pts
}

func clusteredPoint(r *rand.Rand, cum []float64, cp clusterParams) Point {
	if r.Float64() < cp.noise {
		return randPoint(r)
	}
	u := r.Float64() * cum[len(cum)-1]
	m := 0
	for cum[m] < u {
		m++
	}
	w0, wm := cum[0], cum[m]-prevCum(cum, m)
	sigma := cp.sigmaKM * 1000 * math.Pow(wm/w0, cp.sigmaX)
	if r.IntN(3) == 0 {
		sigma *= 2.5 // suburbs
	}
	d := sigma * math.Sqrt(-2*math.Log(1-r.Float64())) // Rayleigh radius: 2-D Gaussian
	return offset(r, metros[m], d)
}

func prevCum(cum []float64, m int) float64 {
	if m == 0 {
		return 0
	}
	return cum[m-1]
}

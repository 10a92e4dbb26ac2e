package loadtest

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"time"
)

// histSubBits sets the histogram's precision: each power of two of
// nanoseconds is split into 1<<histSubBits buckets, so a bucket is less
// than 1/128 of its values wide, and latencies under 256 ns are exact.
const histSubBits = 7

// Histogram counts latencies in buckets of bounded relative width. Unlike
// percentiles, histograms of several runs add up to the histogram of all
// their samples, so rounds run in separate processes merge honestly.
type Histogram struct {
	// Buckets holds the non-empty buckets in increasing order.
	Buckets []Bucket `json:"buckets"`
}

// Bucket is one bucket of a Histogram.
type Bucket struct {
	Top   time.Duration `json:"top_ns"` // the largest latency the bucket holds
	Count int           `json:"n"`
}

// bucketTop returns the largest latency in d's bucket: d itself below 256
// ns, above that d with all but its top 8 significant bits set.
func bucketTop(d time.Duration) time.Duration {
	v := uint64(max(d, 0))
	shift := bits.Len64(v) - (histSubBits + 1)
	if shift <= 0 {
		return time.Duration(v)
	}
	return time.Duration(((v>>shift)+1)<<shift - 1)
}

// HistogramOf counts sorted latencies.
func HistogramOf(sorted []time.Duration) Histogram {
	var h Histogram
	for _, d := range sorted {
		top := bucketTop(d)
		if n := len(h.Buckets); n > 0 && h.Buckets[n-1].Top == top {
			h.Buckets[n-1].Count++
			continue
		}
		h.Buckets = append(h.Buckets, Bucket{Top: top, Count: 1})
	}
	return h
}

// MergeHistograms adds histograms up.
func MergeHistograms(hs ...Histogram) Histogram {
	var all []Bucket
	for _, h := range hs {
		all = append(all, h.Buckets...)
	}
	slices.SortFunc(all, func(a, b Bucket) int { return cmp.Compare(a.Top, b.Top) })
	var out Histogram
	for _, b := range all {
		if n := len(out.Buckets); n > 0 && out.Buckets[n-1].Top == b.Top {
			out.Buckets[n-1].Count += b.Count
			continue
		}
		out.Buckets = append(out.Buckets, b)
	}
	return out
}

// Count is the number of latencies counted.
func (h Histogram) Count() int {
	n := 0
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// Quantile is the nearest-rank p-quantile, as percentile computes it from
// the samples, rounded up to the top of its bucket: never below the exact
// value and less than 1/128 above it. Zero for an empty histogram.
func (h Histogram) Quantile(p float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := min(max(int(math.Ceil(p*float64(n))), 1), n)
	seen := 0
	for _, b := range h.Buckets {
		seen += b.Count
		if seen >= rank {
			return b.Top
		}
	}
	return h.Buckets[len(h.Buckets)-1].Top
}

// Summary is a Result without its samples: what cmd/loadgen prints as
// JSON, small enough to pass between processes, and mergeable through its
// histogram. Durations are in nanoseconds.
type Summary struct {
	Requests int `json:"requests"` // responses received, any status
	NonOK    int `json:"non_ok"`   // of Requests, those whose status was not 200
	Errors   int `json:"errors"`   // requests that got no response
	// Statuses counts responses by status code.
	Statuses   map[int]int   `json:"statuses"`
	FirstError string        `json:"first_error,omitempty"`
	Bytes      int64         `json:"bytes"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	RPS        float64       `json:"rps"` // 200 responses per second
	// P50, P90 and P99 are exact in the Summary of one run; in a merged
	// one they come from the histogram (see Histogram.Quantile). Max is
	// exact in both.
	P50     time.Duration `json:"p50_ns"`
	P90     time.Duration `json:"p90_ns"`
	P99     time.Duration `json:"p99_ns"`
	Max     time.Duration `json:"max_ns"`
	Latency Histogram     `json:"latency"`
}

// OK is the number of 200 responses.
func (s Summary) OK() int { return s.Requests - s.NonOK }

// Summary returns r without its samples.
func (r Result) Summary() Summary {
	s := Summary{
		Requests: r.Requests, NonOK: r.NonOK, Errors: r.Errors, Statuses: r.Statuses,
		Bytes: r.Bytes, Elapsed: r.Elapsed, RPS: r.RPS,
		P50: r.P50, P90: r.P90, P99: r.P99, Max: r.Max,
		Latency: HistogramOf(r.Latencies),
	}
	if s.Statuses == nil {
		s.Statuses = map[int]int{}
	}
	if r.FirstError != nil {
		s.FirstError = r.FirstError.Error()
	}
	return s
}

// MergeSummaries combines runs of the same scenario as Merge does: counts
// and elapsed time add up, the rate is over the summed time, and the
// percentiles come from the merged histogram, never from averaging.
func MergeSummaries(runs ...Summary) Summary {
	res := Summary{Statuses: map[int]int{}}
	hs := make([]Histogram, 0, len(runs))
	for _, r := range runs {
		res.Requests += r.Requests
		res.Errors += r.Errors
		res.Bytes += r.Bytes
		res.Elapsed += r.Elapsed
		res.Max = max(res.Max, r.Max)
		if res.FirstError == "" {
			res.FirstError = r.FirstError
		}
		for code, c := range r.Statuses {
			res.Statuses[code] += c
		}
		hs = append(hs, r.Latency)
	}
	res.NonOK = res.Requests - res.Statuses[200]
	if res.Elapsed > 0 {
		res.RPS = float64(res.OK()) / res.Elapsed.Seconds()
	}
	res.Latency = MergeHistograms(hs...)
	res.P50, res.P90, res.P99 = res.Latency.Quantile(0.50), res.Latency.Quantile(0.90), res.Latency.Quantile(0.99)
	return res
}

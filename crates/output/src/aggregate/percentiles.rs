//! Percentiles as statsd-librato-backend computes them (`timerGaugePct` in its
//! `lib/librato.js`): over the interval's samples sorted ascending, the summary of the lowest
//! `n - round((100 - p) / 100 * n)` of them (JS `Math.round`: halves up), none when that is
//! not positive: `count`, `sum` (added from the smallest), `min`, `max` (the last sample kept)
//! and the **sample** standard deviation (n - 1; 0 for one sample) of those samples.
//!
//! A series keeps its samples exactly up to `max_samples` in a period, so the figures are the
//! backend's to the bit; past that it folds them into a bounded sketch (log-spaced buckets of
//! 1/64 of a power of two, read from the float's bits): `count` and `min` stay exact, `max`
//! and `sum` are then within 1 % of the value (0.8 %: each sample is stood for by its bucket's
//! midpoint), the deviation an estimate from those midpoints.

/// Magnitudes below this count as zero in the sketch.
const TINY: f64 = 1e-300;

/// One series' samples in one period.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    exact: Vec<f64>,
    sorted: bool,
    sketch: Option<Box<Sketch>>,
}

/// What a percentile's summary says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PctSummary {
    /// Samples at or below the percentile.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest of them (the percentile's value).
    pub max: f64,
    /// Their sample standard deviation (n - 1), 0 for one.
    pub stddev: f64,
    /// Their sum of squares (the metrics API's summary field).
    pub sum_squares: f64,
}

impl Samples {
    /// Adds a sample; past `max` samples the series switches to the sketch.
    pub fn add(&mut self, v: f64, max: usize) {
        if let Some(s) = &mut self.sketch {
            s.add(v);
            s.past += 1;
            return;
        }
        self.exact.push(v);
        self.sorted = false;
        if self.exact.len() > max {
            let mut s = Box::new(Sketch::default());
            for &x in &self.exact {
                s.add(x);
            }
            s.past = self.exact.len() as u64 - max as u64;
            self.exact = Vec::new();
            self.sketch = Some(s);
        }
    }

    /// Samples held.
    pub fn count(&self) -> u64 {
        match &self.sketch {
            Some(s) => s.count,
            None => self.exact.len() as u64,
        }
    }

    /// Samples that arrived past `max` (0 while every sample is held exactly).
    pub fn past_max(&self) -> u64 {
        self.sketch.as_ref().map_or(0, |s| s.past)
    }

    /// The samples sorted ascending, when held exactly.
    pub fn sorted(&mut self) -> Option<&[f64]> {
        if self.sketch.is_some() {
            return None;
        }
        if !self.sorted {
            // Samples are finite (the aggregator refuses others). A heap sort: O(n log n) in a
            // few hundred bytes of wasm, where the library's sort costs kilobytes.
            heap_sort(&mut self.exact);
            self.sorted = true;
        }
        Some(&self.exact)
    }

    /// The backend's summary of percentile `pct`, or `None` where it sends none.
    pub fn percentile(&mut self, pct: f64) -> Option<PctSummary> {
        match &self.sketch {
            Some(s) => s.percentile(pct),
            None => backend_pct(self.sorted().unwrap_or_default(), pct),
        }
    }
}

/// Sorts finite numbers ascending.
pub fn heap_sort(v: &mut [f64]) {
    fn sift(v: &mut [f64], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// JavaScript's `Math.round`: to the nearest integer, halves toward +∞.
pub fn js_round(x: f64) -> f64 {
    let f = x.floor();
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// How many of `n` sorted samples the backend's percentile `pct` keeps (may be ≤ 0).
pub fn kept(n: usize, pct: f64) -> i64 {
    let threshold = js_round((100.0 - pct) / 100.0 * n as f64);
    n as i64 - threshold as i64
}

/// `timerGaugePct` over samples sorted ascending.
pub fn backend_pct(values: &[f64], pct: f64) -> Option<PctSummary> {
    let k = kept(values.len(), pct);
    if k <= 0 {
        return None;
    }
    let part = &values[..k as usize];
    let sum = part.iter().fold(0.0, |s, v| s + v);
    let mut stddev = 0.0;
    if part.len() > 1 {
        let avg = sum / part.len() as f64;
        let sq = part.iter().fold(0.0, |s, v| s + (v - avg) * (v - avg));
        stddev = (sq / (part.len() - 1) as f64).sqrt();
    }
    Some(PctSummary {
        count: part.len() as u64,
        sum,
        min: part[0],
        max: part[part.len() - 1],
        stddev,
        sum_squares: part.iter().fold(0.0, |s, v| s + v * v),
    })
}

/// The name of percentile `pct`'s series: `name.<pct>`, the number as JavaScript writes it
/// (`90`, `99.9`), as the backend appends it.
pub fn suffix(pct: f64) -> String {
    // The project's float writer (shortest round-trip, as JS): Rust's `{}` for floats would
    // bring its own formatting machinery into the .wasm.
    let mut out = vec![b'.'];
    librato_core::number::write_float(&mut out, pct);
    String::from_utf8(out).unwrap_or_default()
}

/// Log-spaced buckets: bucket `i` holds the magnitudes of one 64th of an octave, stood for
/// by its midpoint.
#[derive(Debug, Clone, Default)]
struct Sketch {
    /// `(bucket, samples)` sorted by bucket (a few thousand at most).
    positive: Vec<(i32, u64)>,
    negative: Vec<(i32, u64)>,
    zeros: u64,
    count: u64,
    min: f64,
    max: f64,
    past: u64,
}

fn bump(buckets: &mut Vec<(i32, u64)>, i: i32) {
    match buckets.binary_search_by_key(&i, |b| b.0) {
        Ok(at) => buckets[at].1 += 1,
        Err(at) => buckets.insert(at, (i, 1)),
    }
}

/// Sub-buckets per power of two: a bucket is 1/64 of its octave wide, so its midpoint is
/// within 1/128 (0.8 %) of every magnitude in it. Read from the float's bits: no logarithm.
const SUB: u64 = 64;

fn index(magnitude: f64) -> i32 {
    let bits = magnitude.to_bits();
    let exp = (bits >> 52) & 0x7ff;
    let sub = (bits >> (52 - 6)) & (SUB - 1);
    (exp * SUB + sub) as i32
}

fn value_of(i: i32) -> f64 {
    let (exp, sub) = (i as u64 / SUB, i as u64 % SUB);
    f64::from_bits(exp << 52) * (1.0 + (sub as f64 + 0.5) / SUB as f64)
}

impl Sketch {
    fn add(&mut self, v: f64) {
        if self.count == 0 {
            self.min = v;
            self.max = v;
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.count += 1;
        if v.abs() < TINY {
            self.zeros += 1;
        } else if v > 0.0 {
            bump(&mut self.positive, index(v));
        } else {
            bump(&mut self.negative, index(-v));
        }
    }

    /// Buckets in ascending order of value: (value, samples).
    fn ascending(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let neg = self.negative.iter().rev().map(|&(i, c)| (-value_of(i), c));
        let zero = (self.zeros > 0).then_some((0.0, self.zeros));
        let pos = self.positive.iter().map(|&(i, c)| (value_of(i), c));
        neg.chain(zero).chain(pos)
    }

    fn percentile(&self, pct: f64) -> Option<PctSummary> {
        let k = kept(self.count as usize, pct);
        if k <= 0 {
            return None;
        }
        let k = k as u64;
        let (mut taken, mut sum, mut sq, mut last) = (0u64, 0.0, 0.0, self.min);
        for (v, c) in self.ascending() {
            let n = c.min(k - taken);
            // Held to the exact extremes: no estimate lies outside them (not `clamp`, whose
            // assertion brings Rust's float formatting into the .wasm).
            let v = v.max(self.min).min(self.max);
            sum += v * n as f64;
            sq += v * v * n as f64;
            taken += n;
            last = v;
            if taken == k {
                break;
            }
        }
        let max = if k == self.count { self.max } else { last };
        let stddev = if k > 1 {
            ((sq - sum * sum / k as f64) / (k - 1) as f64)
                .max(0.0)
                .sqrt()
        } else {
            0.0
        };
        Some(PctSummary {
            count: k,
            sum,
            min: self.min,
            max,
            stddev,
            sum_squares: sq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_backends_rounding_and_names() {
        // 5 samples at 90: round(0.5) = 1 left out, 4 kept (JS rounds halves up).
        assert_eq!(kept(5, 90.0), 4);
        assert_eq!(kept(10, 90.0), 9);
        assert_eq!(kept(1, 90.0), 1);
        assert_eq!(kept(1, 40.0), 0, "round(0.6) = 1 left out of 1: no series");
        assert_eq!(kept(3, 10.0), 0, "round(2.7) = 3: none kept, no series");
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(0.49999999999999994), 0.0);
        assert_eq!(suffix(90.0), ".90");
        assert_eq!(suffix(99.9), ".99.9");
        let s = backend_pct(&[1.0, 2.0, 3.0, 4.0, 100.0], 90.0).unwrap();
        assert_eq!((s.count, s.sum, s.min, s.max), (4, 10.0, 1.0, 4.0));
        assert!((s.stddev - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(backend_pct(&[7.0], 90.0).unwrap().stddev, 0.0);
        assert!(backend_pct(&[], 90.0).is_none());
    }

    /// A direct computation: sort, keep the lowest, sum and deviate as the backend does.
    fn direct(values: &[f64], pct: f64) -> Option<(u64, f64, f64, f64, f64)> {
        let mut v = values.to_vec();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len() as f64;
        let keep = v.len() as i64 - ((100.0 - pct) / 100.0 * n + 0.5).floor() as i64;
        if keep <= 0 {
            return None;
        }
        let part = &v[..keep as usize];
        let mut sum = 0.0;
        for x in part {
            sum += x;
        }
        let mut sd = 0.0;
        if part.len() > 1 {
            let mean = sum / part.len() as f64;
            let mut sq = 0.0;
            for x in part {
                sq += (x - mean) * (x - mean);
            }
            sd = (sq / (part.len() as f64 - 1.0)).sqrt();
        }
        Some((part.len() as u64, sum, part[0], part[part.len() - 1], sd))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn heap_sort_sorts(mut v in prop::collection::vec(-1e9f64..1e9, 0..200)) {
            let mut want = v.clone();
            want.sort_by(|a, b| a.partial_cmp(b).unwrap());
            heap_sort(&mut v);
            prop_assert_eq!(v, want);
        }

        /// Held exactly, a percentile equals the direct computation to the bit, in any order.
        #[test]
        fn exact_percentiles_equal_a_sort(
            values in prop::collection::vec(-1e6f64..1e6, 0..300),
            pct in prop::sample::select(vec![1.0, 10.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0]),
        ) {
            let mut s = Samples::default();
            for &v in &values { s.add(v, 10_000); }
            let got = s.percentile(pct).map(|p| (p.count, p.sum, p.min, p.max, p.stddev));
            prop_assert_eq!(got, direct(&values, pct));
        }

        /// Past max_samples: count and min exact, max and sum within 1 % (positive samples).
        #[test]
        fn estimates_stay_within_their_stated_error(
            values in prop::collection::vec(0.001f64..1e6, 50..2000),
            pct in prop::sample::select(vec![50.0, 90.0, 99.0]),
        ) {
            let mut s = Samples::default();
            for &v in &values { s.add(v, 20); }
            prop_assert!(s.past_max() > 0);
            let want = direct(&values, pct).unwrap();
            let got = s.percentile(pct).unwrap();
            prop_assert_eq!(got.count, want.0);
            prop_assert_eq!(got.min, want.2);
            prop_assert!((got.max - want.3).abs() <= 0.0101 * want.3, "max {} vs {}", got.max, want.3);
            prop_assert!((got.sum - want.1).abs() <= 0.0101 * want.1, "sum {} vs {}", got.sum, want.1);
        }
    }
}

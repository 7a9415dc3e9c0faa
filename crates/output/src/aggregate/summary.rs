//! One series' samples in one period, folded as they come: count, sum, min, max, last, and the
//! squared deviations from the running mean (Welford's update, the mean read from the sum) for
//! a population standard deviation that stays exact where `sum_squares / n - mean²` cancels.
//! Seven numbers: 10,000 series are held in a period, so every field counts.

/// The fold of a series' samples in one period (`count == 0`: no sample yet).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    /// Samples.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// The last one recorded.
    pub last: f64,
    /// Their sum of squares (the metrics API's `sum_squares`).
    pub sum_squares: f64,
    /// Squared deviations from the running mean (Welford; the mean is `sum / count`).
    m2: f64,
}

impl Summary {
    /// Adds one sample.
    pub fn add(&mut self, v: f64) {
        if self.count == 0 {
            *self = Summary {
                count: 1,
                sum: v,
                min: v,
                max: v,
                last: v,
                sum_squares: v * v,
                m2: 0.0,
            };
            return;
        }
        let mean = self.sum / self.count as f64;
        self.count += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.last = v;
        self.sum_squares += v * v;
        self.m2 += (v - mean) * (v - self.sum / self.count as f64);
    }

    /// The population standard deviation.
    pub fn stddev(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        (self.m2 / self.count as f64).max(0.0).sqrt()
    }
}

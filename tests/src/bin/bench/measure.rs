//! Samples, percentiles, the checks every measured answer must pass, and the report the program writes.

use std::future::Future;
use std::time::{Duration, Instant};

/// Latency samples of one operation (warm-up requests are not among them).
#[derive(Clone, Debug, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    fn sorted(&self) -> Vec<Duration> {
        let mut s = self.0.clone();
        s.sort();
        s
    }
    /// Nearest-rank percentile.
    fn pct(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted[rank.min(sorted.len()) - 1]
    }
    /// "p50 1.3 ms · p95 1.9 ms · p99 2.4 ms · max 3.0 ms"; p95/p99 only when there are enough samples to mean anything.
    pub fn summary(&self) -> String {
        let s = self.sorted();
        let mut parts = vec![format!("p50 {}", ms(Self::pct(&s, 0.5)))];
        if s.len() >= 20 {
            parts.push(format!("p95 {}", ms(Self::pct(&s, 0.95))));
        }
        if s.len() >= 100 {
            parts.push(format!("p99 {}", ms(Self::pct(&s, 0.99))));
        }
        parts.push(format!("max {}", ms(s.last().copied().unwrap_or_default())));
        parts.join(" · ")
    }
}

pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Thousands separators: 1234567 → "1,234,567".
pub fn n(v: usize) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Check failures: a run with any of them prints them, writes no result file and exits non-zero.
#[derive(Default)]
pub struct Checks {
    pub failures: Vec<String>,
}

impl Checks {
    pub fn ensure(&mut self, ok: bool, what: impl FnOnce() -> String) -> bool {
        if !ok {
            let msg = what();
            eprintln!("CHECK FAILED: {msg}");
            self.failures.push(msg);
        }
        ok
    }

    /// Report the first few of many failures of one operation, and how many there were.
    pub fn many(&mut self, what: &str, errors: &[String]) {
        for e in errors.iter().take(3) {
            self.ensure(false, || format!("{what}: {e}"));
        }
        if errors.len() > 3 {
            self.ensure(false, || format!("{what}: {} failures in all", errors.len()));
        }
    }
}

/// Run `warmup` untimed requests, then `n` timed ones; every answer (warm-up too) goes through `check`.
pub async fn latency<T, F, Fut, C>(
    checks: &mut Checks,
    what: &str,
    warmup: usize,
    n: usize,
    mut f: F,
    mut check: C,
) -> Samples
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T, String>>,
    C: FnMut(usize, &T) -> Result<(), String>,
{
    let mut samples = Samples::default();
    let mut failed = 0;
    for i in 0..warmup + n {
        let t = Instant::now();
        let answer = f(i).await;
        let took = t.elapsed();
        let verdict = answer.and_then(|a| check(i, &a));
        if let Err(e) = verdict {
            failed += 1;
            if failed <= 3 {
                checks.ensure(false, || format!("{what}: request {i}: {e}"));
            }
        }
        if i >= warmup {
            samples.push(took);
        }
    }
    if failed > 3 {
        checks.ensure(false, || format!("{what}: {failed} of {} answers failed their check", warmup + n));
    }
    samples
}

/// One line of the result table.
pub struct Line {
    pub what: String,
    pub data: String,
    pub result: String,
    pub samples: String,
    pub checked: String,
}

#[derive(Default)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    pub fn add(&mut self, what: &str, data: String, result: String, samples: String, checked: &str) {
        let line = Line { what: what.into(), data, result, samples, checked: checked.into() };
        println!("| {} | {} | {} | {} | {} |", line.what, line.data, line.result, line.samples, line.checked);
        self.lines.push(line);
    }

    pub fn table(&self) -> String {
        let mut out =
            String::from("| operation | data | result | samples | what the run checked |\n|---|---|---|---|---|\n");
        for l in &self.lines {
            out.push_str(&format!("| {} | {} | {} | {} | {} |\n", l.what, l.data, l.result, l.samples, l.checked));
        }
        out
    }
}

/// The process's peak resident set size (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The 1-minute load average, as /proc/loadavg gives it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

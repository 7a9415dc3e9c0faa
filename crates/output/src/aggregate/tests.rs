use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn setup(api: Api) -> Setup {
    Setup {
        api,
        period_s: 60.0,
        prefix: "app.".into(),
        max_series: 10_000,
        batch_size: 300,
        source: None,
        tags: vec![("env".into(), "prod".into())],
        percentiles: Vec::new(),
        max_samples: 10_000,
    }
}

const T0: i64 = 1_700_000_040_000; // a multiple of 60 s

#[test]
fn summaries_for_the_metrics_api() {
    let mut a = Aggregator::new(setup(Api::Metrics));
    let lat = a.series(Kind::Gauge, "latency", Some("web-1"), &[]);
    let one = a.series(Kind::Gauge, "one", None, &[]);
    let hits = a.series(Kind::Counter, "hits", Some("web 1"), &[]);
    a.fold(
        &[
            lat as f64,
            10.0,
            lat as f64,
            20.0,
            lat as f64,
            30.0,
            one as f64,
            4.5,
            hits as f64,
            1.0,
            hits as f64,
            2.0,
        ],
        T0,
    );
    assert!(
        a.take((T0 + 59_999) as f64, false).bodies.is_empty(),
        "the period has not ended"
    );
    let t = a.take((T0 + 60_000) as f64, false);
    assert_eq!(t.bodies.len(), 1);
    assert_eq!(
        t.bodies[0].0,
        concat!(
            r#"{"gauges":[{"name":"app.latency","count":3,"sum":60,"min":10,"max":30,"sum_squares":1400,"source":"web-1","measure_time":1700000040,"period":60},"#,
            r#"{"name":"app.one","value":4.5,"measure_time":1700000040,"period":60},"#,
            r#"{"name":"app.hits","value":3,"source":"web-1","measure_time":1700000040,"period":60}]}"#
        )
    );
    assert!(
        a.take((T0 + 120_000) as f64, true).bodies.is_empty(),
        "nothing is sent twice"
    );
}

#[test]
fn summaries_for_the_measurements_api() {
    let mut a = Aggregator::new(setup(Api::Measurements));
    let lat = a.series(
        Kind::Gauge,
        "latency",
        None,
        &[("route".into(), "/a b".into())],
    );
    a.fold(&[lat as f64, 1.0, lat as f64, 3.0], T0);
    let t = a.take(0.0, true);
    assert_eq!(
        t.bodies[0].0,
        r#"{"measurements":[{"name":"app.latency","count":2,"sum":4,"min":1,"max":3,"last":3,"stddev":1,"time":1700000040,"period":60,"tags":{"env":"prod","route":"/a b"}}]}"#
    );
    // The call's tags over the defaults; a series left without tags is refused as no_tags.
    let mut b = Aggregator::new(Setup {
        tags: vec![],
        ..setup(Api::Measurements)
    });
    let bare = b.series(Kind::Gauge, "x", None, &[]);
    assert!(bare < 0);
    b.fold(&[bare as f64, 1.0, bare as f64, 2.0], T0);
    let t = b.take(0.0, true);
    assert!(t.bodies.is_empty());
    assert_eq!(
        (t.dropped[0].reason, t.dropped[0].count),
        (Reason::NoTags, 2)
    );
}

#[test]
fn bad_input_is_reported_per_name_with_a_count() {
    let mut a = Aggregator::new(Setup {
        max_series: 2,
        prefix: String::new(),
        ..setup(Api::Metrics)
    });
    let empty = a.series(Kind::Gauge, "", None, &[]);
    let all = a.series(Kind::Gauge, "m", Some("ALL"), &[]);
    let ids: Vec<i64> = (0..4)
        .map(|i| a.series(Kind::Gauge, &format!("s{i}"), None, &[]))
        .collect();
    let mut pairs = vec![
        empty as f64,
        1.0,
        empty as f64,
        1.0,
        all as f64,
        1.0,
        ids[0] as f64,
        f64::NAN,
        ids[0] as f64,
        f64::INFINITY,
    ];
    for &id in &ids {
        pairs.extend([id as f64, 1.0]);
    }
    pairs.extend([ids[3] as f64, 1.0]);
    a.fold(&pairs, T0);
    let t = a.take(0.0, true);
    assert_eq!(t.bodies[0].1, 2, "two series kept");
    let got: Vec<(String, &str, usize)> = t
        .dropped
        .iter()
        .map(|d| (d.name.clone(), d.reason.code(), d.count))
        .collect();
    assert_eq!(
        got,
        [
            ("s0".into(), "non_finite", 2),
            ("".into(), "empty_name", 2),
            ("m".into(), "reserved_source", 1),
            // One entry for every series past maxSeries: their samples and a few names.
            ("s2".into(), "too_many_series", 3),
        ]
    );
    assert!(
        t.dropped[3].message.contains("(e.g. s2, s3)"),
        "{}",
        t.dropped[3].message
    );
    assert_eq!(t.over_limit, 3);
    // Reported once: the next flush starts clean.
    assert!(a.take(0.0, true).dropped.is_empty());
}

#[test]
fn spellings_that_sanitise_alike_are_one_series_and_batches_hold_batch_size() {
    let mut a = Aggregator::new(Setup {
        batch_size: 2,
        ..setup(Api::Metrics)
    });
    assert_eq!(
        a.series(Kind::Gauge, "a b", None, &[]),
        a.series(Kind::Gauge, "a-b", None, &[])
    );
    assert_ne!(
        a.series(Kind::Gauge, "a", None, &[]),
        a.series(Kind::Counter, "a", None, &[])
    );
    let ids: Vec<f64> = (0..5)
        .map(|i| a.series(Kind::Gauge, &format!("n{i}"), None, &[]) as f64)
        .collect();
    a.fold(&ids.iter().flat_map(|&i| [i, 1.0]).collect::<Vec<_>>(), T0);
    let t = a.take(0.0, true);
    assert_eq!(t.bodies.iter().map(|b| b.1).collect::<Vec<_>>(), [2, 2, 1]);
}

#[test]
fn ever_new_series_are_bounded_and_open_periods_survive_the_rebuild() {
    let mut a = Aggregator::new(Setup {
        max_series: 10,
        ..setup(Api::Metrics)
    });
    let mut t = T0;
    for round in 0..5 {
        // 15 new names a period: past 2 x maxSeries the table is rebuilt.
        let ids: Vec<i64> = (0..15)
            .map(|i| a.series(Kind::Gauge, &format!("r{round}n{i}"), None, &[]))
            .collect();
        a.fold(
            &ids.iter()
                .flat_map(|&i| [i as f64, 1.0])
                .collect::<Vec<_>>(),
            t,
        );
        let kept = a.take(t as f64, false); // nothing has ended: the current period stays open
        assert!(kept.bodies.is_empty());
        let before = a.generation();
        if a.reset_if_large() {
            assert_eq!(a.generation(), before + 1);
            assert!(
                a.series_count() <= 10,
                "only the open period's series are kept"
            );
        }
        assert!(a.series_count() <= 30);
        let ended = a.take((t + 60_000) as f64, false);
        assert_eq!(
            ended.bodies.iter().map(|b| b.1).sum::<usize>(),
            10,
            "the open period's 10 kept series, renumbered, still sent"
        );
        assert!(ended.bodies[0].0.contains(&format!("\"app.r{round}n0\"")));
        t += 60_000;
    }
    assert!(a.generation() >= 1);
}

/// A direct computation of what a summary body should say.
fn direct(values: &[f64]) -> (u64, f64, f64, f64, f64, f64) {
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (
        values.len() as u64,
        sum,
        values.iter().cloned().fold(f64::INFINITY, f64::min),
        values.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        *values.last().unwrap(),
        var.sqrt(),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// For random sample streams and flush times (some sending the open period early):
    /// summaries equal a direct computation, every sample is counted exactly once across
    /// flushes, no series and period is sent twice, and periods never overlap.
    #[test]
    fn every_sample_lands_once_in_the_summary_of_its_period(
        samples in prop::collection::vec((0usize..6, -1e6f64..1e6, 0i64..400_000, any::<bool>()), 1..200),
        flushes in prop::collection::vec((0i64..500_000, any::<bool>()), 0..6),
        measurements in any::<bool>(),
        period_s in prop::sample::select(vec![1.0f64, 10.0, 60.0]),
    ) {
        let api = if measurements { Api::Measurements } else { Api::Metrics };
        let mut a = Aggregator::new(Setup { period_s, ..setup(api) });
        let mut samples = samples;
        samples.sort_by_key(|s| s.2);
        let mut flushes = flushes;
        flushes.sort();
        let ids: Vec<i64> = (0..6).map(|i| a.series(if i % 2 == 0 { Kind::Gauge } else { Kind::Counter }, &format!("s{i}"), Some("h"), &[("k".into(), format!("v{i}"))])).collect();
        // Expected: per (series, period start) every value.
        let mut want: HashMap<(String, i64), (usize, Vec<f64>)> = HashMap::new();
        let mut bodies = Vec::new();
        let mut f = 0;
        // The rule for a period sent early (a flush with `all`): later samples of it count in
        // the next period. The model: periods holding samples, and where those sent end.
        let period_ms = (period_s * 1000.0) as i64;
        let mut open: Vec<i64> = Vec::new();
        let mut sent_until = i64::MIN;
        for &(s, v, t, _) in &samples {
            while f < flushes.len() && flushes[f].0 <= t {
                let (at, all) = flushes[f];
                bodies.extend(a.take((T0 + at) as f64, all).bodies);
                for &b in open.iter().filter(|&&b| all || b + period_ms <= T0 + at) {
                    sent_until = sent_until.max(b + period_ms);
                }
                open.retain(|&b| !(all || b + period_ms <= T0 + at));
                f += 1;
            }
            let now = T0 + t;
            let start = a.bucket_of(now as f64);
            a.fold(&[ids[s] as f64, v], start);
            let start = start.max(sent_until);
            if !open.contains(&start) {
                open.push(start);
            }
            want.entry((format!("app.s{s}"), start / 1000)).or_insert((s, Vec::new())).1.push(v);
        }
        bodies.extend(a.take(0.0, true).bodies);
        let mut seen: HashMap<(String, i64), Value> = HashMap::new();
        for (body, n) in &bodies {
            let v: Value = serde_json::from_str(body).unwrap();
            let list = v[if measurements { "measurements" } else { "gauges" }].as_array().unwrap();
            prop_assert_eq!(list.len(), *n);
            for item in list {
                let time = item[if measurements { "time" } else { "measure_time" }].as_i64().unwrap();
                prop_assert_eq!(time % (period_s as i64), 0, "periods start at multiples of period");
                prop_assert_eq!(item["period"].as_i64().unwrap(), (period_s as i64).max(1));
                let key = (item["name"].as_str().unwrap().to_string(), time);
                prop_assert!(seen.insert(key, item.clone()).is_none(), "a series and period sent twice");
            }
        }
        prop_assert_eq!(seen.len(), want.len());
        for (key, (s, values)) in &want {
            let item = seen.get(key).unwrap();
            let (count, sum, min, max, last, stddev) = direct(values);
            if s % 2 == 1 || count == 1 {
                prop_assert!(close(item["value"].as_f64().unwrap(), sum));
                prop_assert!(item.get("count").is_none());
            } else {
                prop_assert_eq!(item["count"].as_u64().unwrap(), count);
                prop_assert!(close(item["sum"].as_f64().unwrap(), sum));
                prop_assert_eq!(item["min"].as_f64().unwrap(), min);
                prop_assert_eq!(item["max"].as_f64().unwrap(), max);
                if measurements {
                    prop_assert_eq!(item["last"].as_f64().unwrap(), last);
                    prop_assert!((item["stddev"].as_f64().unwrap() - stddev).abs() <= 1e-6 * stddev.max(1.0));
                } else {
                    let sq: f64 = values.iter().map(|v| v * v).sum();
                    prop_assert!(close(item["sum_squares"].as_f64().unwrap(), sq));
                }
            }
        }
    }
}

#[test]
fn a_period_sent_early_is_never_sent_again() {
    for api in [Api::Metrics, Api::Measurements] {
        let mut a = Aggregator::new(setup(api));
        let c = a.series(
            Kind::Counter,
            "hits",
            Some("h"),
            &[("k".into(), "v".into())],
        );
        let g = a.series(Kind::Gauge, "lat", Some("h"), &[("k".into(), "v".into())]);
        let start = a.bucket_of((T0 + 10_000) as f64);
        a.fold(&[c as f64, 5.0, g as f64, 1.0, g as f64, 3.0], start);
        // flush({ all: true }) mid-period: the open period goes now.
        let first = a.take((T0 + 10_000) as f64, true);
        // More samples in the same clock period: they count in the next one.
        a.fold(&[c as f64, 7.0, g as f64, 10.0], start);
        let second = a.take((T0 + 200_000) as f64, false);
        let item = |t: &Taken, name: &str| -> Value {
            let v: Value = serde_json::from_str(&t.bodies[0].0).unwrap();
            let list = v[if api == Api::Metrics {
                "gauges"
            } else {
                "measurements"
            }]
            .clone();
            list.as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == name)
                .unwrap()
                .clone()
        };
        let time = if api == Api::Metrics {
            "measure_time"
        } else {
            "time"
        };
        let (c1, c2) = (item(&first, "app.hits"), item(&second, "app.hits"));
        assert_eq!(
            (c1["value"].as_f64(), c2["value"].as_f64()),
            (Some(5.0), Some(7.0))
        );
        assert_eq!(
            c1[time].as_i64().unwrap() + 60,
            c2[time].as_i64().unwrap(),
            "{api:?}"
        );
        let (g1, g2) = (item(&first, "app.lat"), item(&second, "app.lat"));
        assert_eq!(
            (g1["count"].as_u64(), g1["sum"].as_f64()),
            (Some(2), Some(4.0))
        );
        assert_eq!(g2["value"].as_f64(), Some(10.0));
        assert_eq!(g1[time].as_i64().unwrap() + 60, g2[time].as_i64().unwrap());
    }
}

#[test]
fn past_max_series_new_names_are_not_interned() {
    let mut a = Aggregator::new(Setup {
        max_series: 100,
        ..setup(Api::Metrics)
    });
    let mut pairs = Vec::new();
    for i in 0..300_000 {
        let id = a.series(Kind::Gauge, &format!("n{i}"), None, &[]);
        assert!(id >= 0 || id == OVER_LIMIT_ID);
        pairs.extend([id as f64, 1.0]);
        if pairs.len() >= 16_384 {
            a.fold(&pairs, T0);
            pairs.clear();
        }
    }
    a.fold(&pairs, T0);
    // The table holds at most twice maxSeries however many names came.
    assert!(a.series_count() <= 200, "{}", a.series_count());
    let t = a.take(T0 as f64, true);
    assert_eq!(t.bodies.iter().map(|b| b.1).sum::<usize>(), 100);
    assert_eq!(
        t.dropped.len(),
        1,
        "one too_many_series entry, not one per name"
    );
    let d = &t.dropped[0];
    assert_eq!((d.reason.code(), d.count), ("too_many_series", 299_900));
    assert!(
        d.message
            .contains("(e.g. app.n200, app.n201, app.n202, app.n203, app.n204)"),
        "{}",
        d.message
    );
    // Refused names are bounded as well.
    for i in 0..1_000 {
        a.series(Kind::Gauge, &format!("{i}{}", "x".repeat(300)), None, &[]);
    }
    assert!(a.refused_count() <= 100);
}

/// Items of every body, by name.
fn items(t: &Taken, api: Api) -> HashMap<String, Value> {
    let key = if api == Api::Metrics {
        "gauges"
    } else {
        "measurements"
    };
    let mut out = HashMap::new();
    for (body, n) in &t.bodies {
        let v: Value = serde_json::from_str(body).unwrap();
        let list = v[key].as_array().unwrap();
        assert_eq!(list.len(), *n);
        for item in list {
            out.insert(item["name"].as_str().unwrap().to_string(), item.clone());
        }
    }
    out
}

#[test]
fn percentiles_are_sent_as_the_backend_names_and_computes_them() {
    for api in [Api::Metrics, Api::Measurements] {
        let mut a = Aggregator::new(Setup {
            percentiles: vec![90.0, 99.9, 10.0],
            batch_size: 2,
            ..setup(api)
        });
        let g = a.series(Kind::Gauge, "lat", Some("h"), &[]);
        let c = a.series(Kind::Counter, "hits", Some("h"), &[]);
        let mut pairs = Vec::new();
        for v in [5.0, 1.0, 4.0, 2.0, 3.0] {
            pairs.extend([g as f64, v, c as f64, 1.0]);
        }
        a.fold(&pairs, T0);
        let t = a.take(T0 as f64, true);
        let got = items(&t, api);
        // lat, lat.90, lat.99.9 (lat.10 keeps round-down of none: no series), hits.
        let mut names: Vec<&String> = got.keys().collect();
        names.sort();
        assert_eq!(
            names,
            ["app.hits", "app.lat", "app.lat.90", "app.lat.99.9"],
            "{api:?}"
        );
        let p90 = &got["app.lat.90"];
        assert_eq!(p90["count"], 4);
        assert_eq!(
            (
                p90["sum"].as_f64(),
                p90["min"].as_f64(),
                p90["max"].as_f64()
            ),
            (Some(10.0), Some(1.0), Some(4.0))
        );
        match api {
            Api::Metrics => {
                assert_eq!(p90["sum_squares"].as_f64(), Some(30.0));
                assert_eq!(p90["source"], "h");
                assert_eq!(p90["measure_time"].as_i64(), Some(T0 / 1000));
            }
            Api::Measurements => {
                let sd = p90["stddev_m2"].as_f64().unwrap();
                assert!(
                    (sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12,
                    "sample stddev: {sd}"
                );
                assert_eq!(p90["tags"]["env"], "prod");
                assert_eq!(p90["time"].as_i64(), Some(T0 / 1000));
            }
        }
        assert_eq!(got["app.lat.99.9"]["count"], 5);
        assert!(
            got["app.hits"].get("count").is_none(),
            "counters have no percentiles"
        );
    }
}

#[test]
fn past_max_samples_percentiles_are_estimated_and_said_so() {
    let mut a = Aggregator::new(Setup {
        percentiles: vec![50.0],
        max_samples: 100,
        ..setup(Api::Measurements)
    });
    let g = a.series(Kind::Gauge, "lat", None, &[]);
    let pairs: Vec<f64> = (1..=1000).flat_map(|i| [g as f64, i as f64]).collect();
    a.fold(&pairs, T0);
    let t = a.take(T0 as f64, true);
    let got = items(&t, Api::Measurements);
    let p50 = &got["app.lat.50"];
    assert_eq!(p50["count"], 500);
    assert_eq!(p50["min"].as_f64(), Some(1.0));
    assert!((p50["max"].as_f64().unwrap() - 500.0).abs() <= 5.0);
    assert!((p50["sum"].as_f64().unwrap() - 125_250.0).abs() <= 1252.5);
    // The main summary is exact whatever the samples.
    assert_eq!(got["app.lat"]["sum"].as_f64(), Some(500_500.0));
    let note: Vec<(&str, usize)> = t
        .dropped
        .iter()
        .map(|d| (d.reason.code(), d.count))
        .collect();
    assert_eq!(note, [("percentile_estimated", 900)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Percentile series equal a direct computation (sort, keep the lowest, sum from the
    /// smallest) for random samples, percentiles and either API.
    #[test]
    fn percentile_series_equal_a_direct_sort(
        values in prop::collection::vec(-1e4f64..1e4, 1..200),
        pcts in prop::collection::vec(prop::sample::select(vec![50.0, 75.0, 90.0, 95.0, 99.0, 99.5]), 1..4),
        measurements in any::<bool>(),
    ) {
        let api = if measurements { Api::Measurements } else { Api::Metrics };
        let mut pcts = pcts;
        pcts.dedup();
        let mut a = Aggregator::new(Setup { percentiles: pcts.clone(), ..setup(api) });
        let g = a.series(Kind::Gauge, "t", Some("h"), &[]);
        let pairs: Vec<f64> = values.iter().flat_map(|&v| [g as f64, v]).collect();
        a.fold(&pairs, T0);
        let got = items(&a.take(T0 as f64, true), api);
        let mut sorted = values.clone();
        sorted.sort_by(|x, y| x.partial_cmp(y).unwrap());
        for p in pcts {
            let n = sorted.len();
            let keep = n as i64 - ((100.0 - p) / 100.0 * n as f64 + 0.5).floor() as i64;
            let name = format!("app.t.{p}");
            if keep <= 0 {
                prop_assert!(!got.contains_key(&name));
                continue;
            }
            let part = &sorted[..keep as usize];
            let mut sum = 0.0;
            for x in part { sum += x; }
            let item = &got[&name];
            prop_assert_eq!(item["count"].as_i64(), Some(keep));
            prop_assert_eq!(item["sum"].as_f64(), Some(sum));
            prop_assert_eq!(item["min"].as_f64(), Some(part[0]));
            prop_assert_eq!(item["max"].as_f64(), Some(part[part.len() - 1]));
        }
    }
}

#[test]
fn bad_samples_of_many_series_interleaved_count_once_per_name_and_reason() {
    let mut a = Aggregator::new(setup(Api::Metrics));
    let ids: Vec<i64> = (0..50)
        .map(|i| a.series(Kind::Gauge, &format!("s{i}"), None, &[]))
        .collect();
    let mut pairs = Vec::new();
    for round in 0..3 {
        for &id in &ids {
            pairs.extend([id as f64, if round == 1 { f64::INFINITY } else { f64::NAN }]);
        }
    }
    a.fold(&pairs, T0);
    let t = a.take(0.0, true);
    let got: Vec<(String, &str, usize)> = t
        .dropped
        .iter()
        .map(|d| (d.name.clone(), d.reason.code(), d.count))
        .collect();
    let want: Vec<(String, &str, usize)> = (0..50)
        .map(|i| (format!("app.s{i}"), "non_finite", 3))
        .collect();
    assert_eq!(got, want);
    // The next period starts from nothing.
    a.fold(&[ids[7] as f64, f64::NAN], T0 + 60_000);
    let t = a.take(0.0, true);
    assert_eq!(
        t.dropped
            .iter()
            .map(|d| (d.name.as_str(), d.count))
            .collect::<Vec<_>>(),
        [("app.s7", 1)]
    );
}

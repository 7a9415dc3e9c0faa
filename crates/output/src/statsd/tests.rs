//! The StatsD grammar and the backend's flush, natively: every type, rates, deltas, tags, bad
//! lines, and property tests against direct computations.

use proptest::prelude::*;
use serde_json::Value as Json;

use super::parse::{js_number, parse_packet, sanitize_key, ParseOptions, Sample, Value};
use crate::aggregate::statsd::{Statsd, StatsdSetup};
use crate::queue::message::read;
use librato_core::librato::Api;

/// A read value: key, DogStatsD tags, value.
type Read = (String, Vec<(String, String)>, Value);

fn samples(packet: &str, sanitize: bool) -> (Vec<Read>, usize) {
    let mut out = Vec::new();
    let parsed = parse_packet(packet, &ParseOptions { sanitize }, &mut |s: Sample<'_>| {
        out.push((s.key.into_owned(), s.tags, s.value))
    });
    (out, parsed.bad)
}

#[test]
fn every_type_rates_and_several_values_a_line() {
    let (got, bad) = samples("hits:3|c\nhits:1|c|@0.1\nlat:12.5|ms\nq:-4|g\nq:+2|g\nu:alice|s\nh:7|h\nd:-1|d\nmulti:1|c:2|ms\n", true);
    assert_eq!(bad, 0);
    let values: Vec<&Value> = got.iter().map(|g| &g.2).collect();
    assert_eq!(
        values,
        [
            &Value::Counter(3.0),
            &Value::Counter(1.0 * (1.0 / 0.1)),
            &Value::Timer(12.5),
            &Value::Gauge {
                value: -4.0,
                delta: true
            },
            &Value::Gauge {
                value: 2.0,
                delta: true
            },
            &Value::Set("alice".into()),
            &Value::Timer(7.0),
            &Value::Timer(-1.0),
            &Value::Counter(1.0),
            &Value::Timer(2.0),
        ]
    );
    assert_eq!(got[8].0, "multi");
}

#[test]
fn bad_lines_are_counted_with_an_example_and_never_cost_the_good_ones() {
    let mut seen = Vec::new();
    let p = parse_packet(
        "ok:1|c\nnovalue\nx:abc|c\nt:-1|ms\nr:1|c|@-1\nr2:1|c|0.5\ng:|g\nok2:2|c\n\n",
        &ParseOptions::default(),
        &mut |s| seen.push(s.key.into_owned()),
    );
    assert_eq!(seen, ["ok", "ok2"]);
    assert_eq!((p.lines, p.bad), (8, 6));
    let e = p.example.unwrap();
    assert_eq!((e.line, e.text.as_str()), (2, "novalue"));
}

#[test]
fn numbers_are_javascripts_and_rates_are_read_as_statsd_reads_them() {
    for (text, want) in [
        ("12", Some(12.0)),
        (" 1.5 ", Some(1.5)),
        ("0x10", Some(16.0)),
        ("1e3", Some(1000.0)),
        (".5", Some(0.5)),
        ("5.", Some(5.0)),
        ("Infinity", Some(f64::INFINITY)),
        ("", Some(0.0)),
        ("inf", None),
        ("nan", None),
        ("1,5", None),
        ("-0x10", None),
        ("e5", None),
        ("1e", None),
    ] {
        assert_eq!(js_number(text), want, "{text:?}");
    }
    // @1e-3 is a rate of 1 in statsd (it reads /^@([\d.]+)/): kept so.
    let (got, _) = samples("c:5|c|@1e-3\nc:5|c|@.5\n", true);
    assert_eq!(got[0].2, Value::Counter(5.0));
    assert_eq!(got[1].2, Value::Counter(10.0));
}

#[test]
fn keys_are_sanitised_as_statsd_does_and_tags_survive_only_unsanitised() {
    assert_eq!(sanitize_key("a b\t\tc/d#e=f,g;h!"), "a_b_c-de=fg;h");
    let (got, _) = samples("api.latency#route=users,code=200:5|ms\n", true);
    assert_eq!(got[0].0, "api.latencyroute=userscode=200");
    let (got, _) = samples("api.latency#route=users,code=200:5|ms\n", false);
    assert_eq!(got[0].0, "api.latency#route=users,code=200");
    // DogStatsD tags (an extension): measurement tags, k:v made k=v.
    let (got, _) = samples("api.latency:5|ms|#route:users,code:200\n", true);
    assert_eq!(got[0].0, "api.latency");
    assert_eq!(
        got[0].1,
        [
            ("route".into(), "users".into()),
            ("code".into(), "200".into())
        ]
    );
}

fn setup(api: Api) -> StatsdSetup {
    StatsdSetup {
        api,
        batch_size: 500,
        global_prefix: String::new(),
        source: None,
        global_tags: vec![("host".into(), "box".into())],
        percentiles: vec![90.0],
        max_samples: 10_000,
        max_series: 10_000,
        counters_as_gauges: true,
        always_suffix: false,
        skip_internal: true,
        delete: [false; 4],
        gauges_max_ttl: 1,
        prefix_stats: "statsd".into(),
        flush_interval_ms: 10_000.0,
        snap_s: 10,
        parse: ParseOptions::default(),
    }
}

/// Every item of a flush by name (the last of a name wins).
fn items(messages: &[String]) -> Vec<Json> {
    messages
        .iter()
        .flat_map(|m| {
            read(m)
                .unwrap()
                .items
                .into_iter()
                .map(|i| serde_json::from_str(i).unwrap())
                .collect::<Vec<Json>>()
        })
        .collect()
}

/// The items' names, in order.
fn names(items: &[Json]) -> Vec<&str> {
    items.iter().map(|i| i["name"].as_str().unwrap()).collect()
}

fn by_name(items: &[Json], name: &str) -> Json {
    items
        .iter()
        .find(|i| i["name"] == name)
        .cloned()
        .unwrap_or(Json::Null)
}

#[test]
fn a_flush_posts_what_the_backend_posts_and_clears_as_statsd_does() {
    let mut s = Statsd::new(setup(Api::Measurements));
    s.ingest(b"hits:2|c\nhits:3|c\nlat:5|ms\nlat:1|ms\nlat:4|ms\nlat:2|ms\nlat:3|ms\nq:10|g\nq:-4|g\nu:a|s\nu:b|s\nu:a|s\nbad line\n");
    let f = s.flush(1_700_000_004_600.0);
    assert_eq!((f.bad, f.example.as_ref().unwrap().line), (1, 13));
    let got = items(&f.messages);
    let listed = names(&got);
    assert_eq!(
        listed,
        ["hits", "lat", "lat.90", "q", "u"],
        "statsd.* skipped, in the backend's order"
    );
    assert_eq!(by_name(&got, "hits")["value"], 5.0);
    let lat = by_name(&got, "lat");
    assert_eq!(
        (
            lat["count"].as_u64(),
            lat["sum"].as_f64(),
            lat["min"].as_f64(),
            lat["max"].as_f64()
        ),
        (Some(5), Some(15.0), Some(1.0), Some(5.0))
    );
    assert!((lat["stddev_m2"].as_f64().unwrap() - 2.5f64.sqrt()).abs() < 1e-15);
    // 90 of 5: round(0.5) = 1 left out.
    assert_eq!(by_name(&got, "lat.90")["count"], 4);
    assert_eq!(by_name(&got, "q")["value"], 6.0);
    assert_eq!(by_name(&got, "u")["value"], 2.0);
    // Time: the flush's second (rounded) snapped down to 10 s; host from the top-level tags.
    assert_eq!(lat["time"], 1_700_000_000);
    assert_eq!(lat["tags"]["host"], "box");
    // Next flush, nothing received: counters 0, gauges held, sets 0, timers not sent.
    let got = items(&s.flush(1_700_000_014_600.0).messages);
    let pairs: Vec<(String, f64)> = got
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("hits".into(), 0.0), ("q".into(), 6.0), ("u".into(), 0.0)]
    );
}

#[test]
fn delete_idle_stats_and_internal_metrics() {
    let mut st = setup(Api::Metrics);
    st.delete = [true; 4];
    st.skip_internal = false;
    st.source = Some("web 1".into());
    let mut s = Statsd::new(st);
    s.ingest(b"hits:1|c\ng:1|g\n");
    let got = items(&s.flush(1_700_000_000_000.0).messages);
    let listed = names(&got);
    assert_eq!(
        listed,
        [
            "statsd.bad_lines_seen",
            "statsd.packets_received",
            "statsd.metrics_received",
            "hits",
            "g",
            "numStats"
        ]
    );
    assert_eq!(by_name(&got, "statsd.metrics_received")["value"], 2.0);
    assert_eq!(by_name(&got, "hits")["source"], "web_1");
    assert_eq!(by_name(&got, "hits")["measure_time"], 1_700_000_000);
    let got = items(&s.flush(1_700_000_010_000.0).messages);
    let listed = names(&got);
    // Deleted when idle; statsd's own counters stay (at 0); timestamp_lag appears from the second flush.
    assert_eq!(
        listed,
        [
            "statsd.bad_lines_seen",
            "statsd.packets_received",
            "statsd.metrics_received",
            "statsd.timestamp_lag",
            "numStats"
        ]
    );
    assert_eq!(by_name(&got, "statsd.timestamp_lag")["value"], 0.0);
}

#[test]
fn backend_tags_in_the_name_and_percentile_names() {
    let mut st = setup(Api::Measurements);
    st.parse = ParseOptions { sanitize: false };
    st.global_prefix = "app".into();
    st.source = Some("web1".into());
    let mut s = Statsd::new(st);
    s.ingest(b"api.latency#route=users:5|ms\napi.latency#route=users:7|ms\n");
    let got = items(&s.flush(1_700_000_000_000.0).messages);
    let p = by_name(&got, "app.api.latency.90");
    // The backend's own tags replace its top-level ones (the API never merges them): no host.
    assert_eq!(
        p["tags"],
        serde_json::json!({"route": "users", "source": "web1"})
    );
    assert_eq!(
        by_name(&got, "app.api.latency")["tags"],
        serde_json::json!({"route": "users", "source": "web1"})
    );
}

/// The tags each named series is posted with, after one flush of `packet`.
fn tags_after(s: &mut Statsd, packet: &[u8], names: &[&str]) -> Vec<serde_json::Value> {
    s.ingest(packet);
    let got = items(&s.flush(1_700_000_000_000.0).messages);
    names
        .iter()
        .map(|n| by_name(&got, n)["tags"].clone())
        .collect()
}

#[test]
fn own_tags_replace_the_top_level_ones_as_the_api_does() {
    use serde_json::json;
    let mut st = setup(Api::Measurements);
    st.parse = ParseOptions { sanitize: false };
    let mut s = Statsd::new(st);
    assert_eq!(
        tags_after(&mut s, b"a:1|c\nb#k=v:1|c\nc:1|c|#d:e\n", &["a", "b", "c"]),
        [json!({"host": "box"}), json!({"k": "v"}), json!({"d": "e"})]
    );
    // A tag the API would refuse is sanitised (the backend sends it raw: a 400 for its request).
    assert_eq!(
        tags_after(&mut s, b"d#bad k=v:1|c\n", &["d"]),
        [json!({"bad_k": "v"})]
    );
    // A configured source is an own tag too: every series then has it and not host.
    let mut st = setup(Api::Measurements);
    st.source = Some("web1".into());
    assert_eq!(
        tags_after(&mut Statsd::new(st), b"a:1|c\n", &["a"]),
        [json!({"source": "web1"})]
    );
}

#[test]
fn gauge_deltas_adjust_a_held_value_that_is_not_zero() {
    let mut s = Statsd::new(setup(Api::Measurements));
    s.ingest(b"g:0|g\ng:+5|g\n");
    assert_eq!(
        by_name(&items(&s.flush(1e12).messages), "g")["value"],
        5.0,
        "0 held: +5 sets"
    );
    s.ingest(b"g:+5|g\ng:-2|g\n");
    assert_eq!(
        by_name(&items(&s.flush(1e12 + 10_000.0).messages), "g")["value"],
        8.0
    );
}

#[test]
fn past_max_series_keys_are_counted_not_kept() {
    let mut st = setup(Api::Measurements);
    st.max_series = 5; // statsd's three internal counters count too
    let mut s = Statsd::new(st);
    for i in 0..100 {
        s.ingest(format!("k{i}:1|c").as_bytes());
    }
    assert_eq!(s.series_count(), 5);
    let f = s.flush(1e12);
    assert_eq!(items(&f.messages).len(), 2);
    let d = &f.dropped[0];
    assert_eq!(
        (d.reason.code(), d.count, d.name.as_str()),
        ("too_many_series", 98, "k2")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Counters sum value / rate as statsd does; timers' summaries and percentiles equal a
    /// direct sort; nothing is lost between packets.
    #[test]
    fn flushes_equal_a_direct_computation(
        counts in prop::collection::vec((0u32..1000, prop::sample::select(vec![1.0f64, 0.5, 0.1, 0.25])), 1..30),
        times in prop::collection::vec(0u32..100_000, 1..200),
        pct in prop::sample::select(vec![50.0f64, 90.0, 95.0, 99.0]),
    ) {
        let mut st = setup(Api::Measurements);
        st.percentiles = vec![pct];
        let mut s = Statsd::new(st);
        let mut want = 0.0;
        for (v, r) in &counts {
            let line = if *r == 1.0 { format!("c:{v}|c") } else { format!("c:{v}|c|@{r}") };
            s.ingest(line.as_bytes());
            want += f64::from(*v) * (1.0 / r);
        }
        let packet: String = times.iter().map(|t| format!("t:{}|ms\n", f64::from(*t) / 100.0)).collect();
        s.ingest(packet.as_bytes());
        let got = items(&s.flush(1e12).messages);
        prop_assert_eq!(by_name(&got, "c")["value"].as_f64(), Some(want));
        let mut sorted: Vec<f64> = times.iter().map(|t| f64::from(*t) / 100.0).collect();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let t = by_name(&got, "t");
        let mut sum = 0.0;
        for v in &sorted { sum += v; }
        prop_assert_eq!(t["count"].as_u64(), Some(sorted.len() as u64));
        prop_assert_eq!(t["sum"].as_f64(), Some(sum));
        let n = sorted.len();
        let keep = n as i64 - ((100.0 - pct) / 100.0 * n as f64 + 0.5).floor() as i64;
        let p = by_name(&got, &format!("t.{pct}"));
        if keep > 0 {
            prop_assert_eq!(p["count"].as_i64(), Some(keep));
            prop_assert_eq!(p["max"].as_f64(), Some(sorted[keep as usize - 1]));
        } else {
            prop_assert!(p.is_null());
        }
    }

    /// Any text: no panic, and every non-empty line is a metric line read or a bad one.
    #[test]
    fn any_packet_is_read_without_a_panic(text in ".{0,200}") {
        let mut n = 0;
        let p = parse_packet(&text, &ParseOptions::default(), &mut |_| n += 1);
        prop_assert_eq!(p.lines, text.split('\n').filter(|l| !l.is_empty()).count());
        // Each line gives at least one value or one bad value (statsd counts each).
        prop_assert!(p.bad + n >= p.lines);
        prop_assert!(p.example.is_some() == (p.bad > 0));
    }
}

#[test]
fn a_key_that_sanitises_to_nothing_is_skipped_not_sent() {
    let mut s = Statsd::new(setup(Api::Measurements));
    s.ingest(b"good:1|c\n\xff\xfe:1|c\n");
    let f = s.flush(1e12);
    let got = items(&f.messages);
    assert_eq!(got.len(), 1);
    assert_eq!(f.dropped[0].reason.code(), "empty_name");
}

//! Runs every case in `tests/fixtures/` through the native core. The JS test
//! `tests/js/fixtures.test.mjs` runs the same cases through the built package.

use std::fs;
use std::path::Path;

use librato_core::librato::{Api, BodyFormat};
use librato_core::metric::{ParseOptions, Precision};
use librato_output::config::{load_config, LibratoConfig, LoadOptions};
use librato_output::render::{render, Format, Input, Plan, RenderOptions, Sink, Text};
use serde_json::{json, Value};

fn same_plan(a: &Plan, b: &Plan) -> Result<(), String> {
    let bodies = |p: &Plan| {
        p.bodies
            .iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect::<Vec<_>>()
    };
    if bodies(a) != bodies(b) || a.errors != b.errors || a.skipped != b.skipped {
        return Err("rendering the text differs from rendering its bytes".into());
    }
    Ok(())
}

fn run_case(dir: &Path) -> Result<(), String> {
    let read = |f: &str| fs::read_to_string(dir.join(f)).ok();
    // Inputs are bytes: a fixture may hold invalid UTF-8 (that line's error).
    let (raw, format) = match (
        fs::read(dir.join("input.lp")),
        fs::read(dir.join("input.json")),
    ) {
        (Ok(lp), _) => (lp, Format::Influx),
        (Err(_), Ok(js)) => (js, Format::Json),
        _ => return Err("no input.lp or input.json".into()),
    };
    let config = match read("config.toml") {
        Some(text) => load_config(&text, &LoadOptions::default())
            .map_err(|e| format!("config: {e}"))?
            .into_iter()
            .next()
            .ok_or("config.toml has no librato table")?,
        None => LibratoConfig::default(),
    };
    let options: Value = read("options.json")
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(json!({}));
    let format = match options["format"].as_str() {
        Some("json") => Format::Json,
        _ => format,
    };
    let precision = options["precision"]
        .as_str()
        .map(|p| Precision::parse(p).unwrap())
        .unwrap_or(if format == Format::Json {
            Precision::S
        } else {
            Precision::Ns
        });
    let default_time = options["defaultTime"]
        .as_str()
        .map(|t| t.parse().unwrap())
        .unwrap_or(0);
    let options = RenderOptions {
        parse: ParseOptions::new(precision, default_time),
        explain: false,
        max_requests: None,
        full_bodies: false,
    };
    let plan = render(
        Input::Text(Text::Bytes(&raw), format),
        &config,
        &options,
        Sink::Keep,
    );
    // Valid UTF-8 read as text renders the same as its bytes.
    if let Ok(text) = std::str::from_utf8(&raw) {
        let from_text = render(
            Input::Text(Text::Str(text), format),
            &config,
            &options,
            Sink::Keep,
        );
        same_plan(&from_text, &plan)?;
    }

    let expected: Value = serde_json::from_str(&read("expected.json").ok_or("no expected.json")?)
        .map_err(|e| e.to_string())?;
    // `api = "measurements"` cases list `measurements` where the others list `gauges`.
    let tagged = config.api == Api::Measurements;
    let list_key = if tagged { "measurements" } else { "gauges" };
    let mut rows = Vec::new();
    let mut batches = Vec::new();
    for (body, count) in plan.bodies.iter() {
        let v: Value = serde_json::from_str(body).map_err(|e| format!("body is not JSON: {e}"))?;
        let list = v[list_key].as_array().ok_or("body without its list")?;
        if list.len() != count {
            return Err(format!("count {count} but {} in body", list.len()));
        }
        batches.push(json!(count));
        for g in list {
            rows.push(if tagged {
                measurement_row(g, &v, config.body_format)?
            } else {
                gauge_row(g)?
            });
        }
    }
    if let Some(want) = expected["bodies"].as_array() {
        let got: Vec<Value> = plan.bodies.iter().map(|(b, _)| json!(b)).collect();
        check("bodies", &json!(got), &json!(want))?;
    }
    let skipped: Vec<Value> = plan
        .skipped
        .iter()
        .map(|s| json!([s.line, s.metric, s.field, s.reason.code()]))
        .collect();
    check(
        list_key,
        &numbers_as_f64(&json!(rows)),
        &numbers_as_f64(&expected[list_key]),
    )?;
    check("batches", &json!(batches), &expected["batches"])?;
    check("skipped", &json!(skipped), &expected["skipped"])?;
    let want_errors = expected["errors"].as_array().cloned().unwrap_or_default();
    if plan.errors.len() != want_errors.len() {
        return Err(format!(
            "errors: got {:?}, want {want_errors:?}",
            plan.errors
        ));
    }
    for (got, want) in plan.errors.iter().zip(&want_errors) {
        let (line, column, text) = (
            want[0].as_u64().unwrap(),
            want[1].as_u64().unwrap(),
            want[2].as_str().unwrap(),
        );
        if u64::from(got.line) != line
            || u64::from(got.column) != column
            || !got.message.contains(text)
        {
            return Err(format!("error: got {got:?}, want {want}"));
        }
    }
    for w in expected["warnings"].as_array().into_iter().flatten() {
        let w = w.as_str().unwrap();
        if !plan.warnings.iter().any(|x| x.contains(w)) {
            return Err(format!("warning {w:?} missing from {:?}", plan.warnings));
        }
    }
    Ok(())
}

/// A gauge as `[name, value, source, measure_time]`, in Telegraf's key order.
fn gauge_row(g: &Value) -> Result<Value, String> {
    let keys: Vec<&String> = g
        .as_object()
        .ok_or("gauge is not an object")?
        .keys()
        .collect();
    if keys != ["name", "value", "source", "measure_time"] {
        return Err(format!("gauge keys {keys:?}"));
    }
    Ok(json!([
        g["name"],
        g["value"],
        g["source"],
        g["measure_time"]
    ]))
}

/// A measurement as `[name, value, time, tags]` with its effective time and tags (its own,
/// or else the body's top-level ones, never merged), as the API reads it.
fn measurement_row(m: &Value, body: &Value, format: BodyFormat) -> Result<Value, String> {
    let keys: Vec<&String> = m
        .as_object()
        .ok_or("measurement is not an object")?
        .keys()
        .collect();
    let full = ["name", "value", "time", "tags"];
    let fits = match format {
        BodyFormat::Telegraf => keys == full,
        BodyFormat::Compact => keys.iter().all(|k| full.contains(&k.as_str())),
    };
    if !fits {
        return Err(format!("measurement keys {keys:?}"));
    }
    let tags = m
        .get("tags")
        .or(body.get("tags"))
        .ok_or("a measurement without tags")?;
    let names: Vec<&String> = tags
        .as_object()
        .ok_or("tags is not an object")?
        .keys()
        .collect();
    if !names.windows(2).all(|w| w[0] < w[1]) {
        return Err(format!("tag keys not sorted: {names:?}"));
    }
    let time = m
        .get("time")
        .or(body.get("time"))
        .ok_or("a measurement without time")?;
    Ok(json!([m["name"], m["value"], time, tags]))
}

/// Compares numbers as float64 (the JSON text of 3 and 3.0 differ, the values do not).
fn numbers_as_f64(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(numbers_as_f64).collect()),
        other => other.clone(),
    }
}

fn check(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}:\n  got  {got}\n  want {want}"))
    }
}

#[test]
fn shared_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 30,
        "expected at least 30 fixture cases, found {}",
        dirs.len()
    );
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            run_case(d)
                .err()
                .map(|e| format!("{}: {e}", d.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

use super::*;

fn load(text: &str) -> Result<Vec<LibratoConfig>, ConfigError> {
    load_config(text, &LoadOptions::default())
}

/// Telegraf's own sample block, as the playground shows it (one file for both).
const TELEGRAF_SAMPLE: &str = include_str!("../../../../www/telegraf-librato.conf");

#[test]
fn config_telegraf_sample_block() {
    let c = load(TELEGRAF_SAMPLE).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].api_user, "telegraf@influxdb.com");
    assert_eq!(c[0].api_token, "my-secret-token");
    assert_eq!(c[0].template, "host");
    assert_eq!(c[0].timeout_ms, 5000);
    assert_eq!(c[0].api_url, DEFAULT_API_URL);
    assert_eq!(c[0].batch_size, 300);
}

#[test]
fn config_whole_file_with_two_tables_and_other_plugins() {
    let text = r#"
[agent]
  interval = "10s"
[[inputs.cpu]]
  percpu = true
[[outputs.librato]]
  api_user = "a"
  api_token = "b"
  template = "host.tags"
[[outputs.file]]
  files = ["stdout"]
[[outputs.librato]]
  api_user = "c"
  api_token = "d"
  timeout = "1m30s"
  api_url = "http://127.0.0.1:8071/v1/metrics"
"#;
    let c = load(text).unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].template, "host.tags");
    assert_eq!(c[1].timeout_ms, 90_000);
    assert_eq!(c[1].api_url, "http://127.0.0.1:8071/v1/metrics");
    assert!(load("[agent]\ninterval = \"10s\"\n").unwrap().is_empty());
}

#[test]
fn config_bare_body_and_empty_text() {
    let c = load("api_user = \"u\"\ntemplate = \"tags\"\nbatch_size = 50\n").unwrap();
    assert_eq!((c[0].template.as_str(), c[0].batch_size), ("tags", 50));
    assert_eq!(c[0].body_format, BodyFormat::Telegraf);
    let c = load("body_format = 'compact'\n").unwrap();
    assert_eq!(c[0].body_format, BodyFormat::Compact);
    let empty = load("").unwrap();
    assert_eq!(empty, vec![LibratoConfig::default()]);
}

#[test]
fn config_unknown_key_names_key_and_line() {
    let e = load("[[outputs.librato]]\n  api_user = \"u\"\n  tempalte = \"host\"\n").unwrap_err();
    assert_eq!(e.message, "unknown key \"tempalte\" in [[outputs.librato]]");
    assert_eq!((e.line, e.column), (Some(3), Some(3)));
    assert_eq!(e.key.as_deref(), Some("tempalte"));
}

#[test]
fn config_wrong_types_and_values_with_positions() {
    let cases = [
        (
            "debug = \"yes\"",
            "debug must be a boolean, found a string",
            9,
        ),
        (
            "timeout = \"5 parsecs\"",
            "timeout: invalid duration \"5 parsecs\"",
            11,
        ),
        ("timeout = \"0s\"", "timeout must be greater than zero", 11),
        (
            "batch_size = 301",
            "batch_size must be between 1 and 300, found 301",
            14,
        ),
        (
            "batch_size = 0",
            "batch_size must be between 1 and 300, found 0",
            14,
        ),
        (
            "template = 5",
            "template must be a string, found an integer",
            12,
        ),
        (
            "body_format = \"Compact\"",
            "body_format must be \"telegraf\" or \"compact\", not \"Compact\"",
            15,
        ),
        (
            "api_url = \"ftp://x\"",
            "api_url must start with http:// or https://",
            11,
        ),
        (
            "api_url = \"https://u:p@host/v1\"",
            "api_url must not contain credentials",
            11,
        ),
        (
            "retries = -1",
            "retries must be between 0 and 20, found -1",
            11,
        ),
        (
            "concurrency = 1.5",
            "concurrency must be an integer, found a float",
            15,
        ),
    ];
    for (text, msg, col) in cases {
        let e = load(text).unwrap_err();
        assert!(e.message.starts_with(msg), "{text}: {}", e.message);
        assert_eq!((e.line, e.column), (Some(1), Some(col)), "{text}");
    }
    // Credentials in a bad URL never reach the message.
    let e = load("api_url = \"https://user:hunter2@host\"").unwrap_err();
    assert!(!e.message.contains("hunter2"));
}

#[test]
fn config_bad_toml_has_line_and_column() {
    let e = load("[[outputs.librato]]\napi_user = \"u\"\ntemplate = host\n").unwrap_err();
    assert!(e.message.starts_with("invalid TOML"), "{}", e.message);
    assert_eq!(e.line, Some(3));
    assert_eq!(e.column, Some(12));
}

#[test]
fn config_durations_as_numbers_are_seconds() {
    assert_eq!(load("timeout = 7").unwrap()[0].timeout_ms, 7000);
    assert_eq!(load("timeout = 0.5").unwrap()[0].timeout_ms, 500);
    let e = load("timeout = -1.5").unwrap_err();
    assert!(
        e.message
            .contains("invalid duration -1.5: it cannot be negative"),
        "{}",
        e.message
    );
    let e = load("timeout = 1e300").unwrap_err();
    assert!(e.message.contains("1e+300 is too long"), "{}", e.message);
    assert!(load("timeout = nan").is_err());
    // Integers: checked, negative ones named as such, longer than a JS timer refused at
    // the value's position.
    let e = load("timeout = -3").unwrap_err();
    assert_eq!(
        e.message,
        "timeout: invalid duration -3: it cannot be negative"
    );
    let e = load("debug = false\ntimeout = 9223372036854775807").unwrap_err();
    assert!(e.message.contains("is too long"), "{}", e.message);
    assert_eq!((e.line, e.column), (Some(2), Some(11)));
    let e = load("retry_max_wait = \"600h\"").unwrap_err();
    assert!(
        e.message
            .starts_with("retry_max_wait: duration \"600h\" is too long: at most 596h31m23s647ms"),
        "{}",
        e.message
    );
    assert_eq!(
        load("timeout = 2147483").unwrap()[0].timeout_ms,
        2_147_483_000
    );
}

#[test]
fn config_source_tag_migrates_with_warning() {
    let c = load("source_tag = \"hostname\"").unwrap();
    assert_eq!(c[0].template, "hostname");
    assert!(c[0].warnings[0].contains("source_tag is deprecated"));
    let same = load("source_tag = \"h\"\ntemplate = \"h\"").unwrap();
    assert_eq!(same[0].template, "h");
    let e = load("template = \"host\"\nsource_tag = \"hostname\"").unwrap_err();
    assert!(e.message.contains("conflicts"), "{}", e.message);
    assert_eq!(e.line, Some(2));
}

#[test]
fn config_agent_keys_warn() {
    let c = load("flush_interval = \"10s\"\nmetric_batch_size = 1000").unwrap();
    assert_eq!(c[0].warnings.len(), 2);
    assert!(c[0].warnings[0].starts_with("flush_interval is accepted but not used"));
}

#[test]
fn config_env_substitution_before_parsing() {
    let mut options = LoadOptions::default();
    options
        .env
        .insert("LIBRATO_USER".into(), "me@example.com".into());
    let c = load_config(
        "api_user = \"${LIBRATO_USER}\"\napi_token = \"${LIBRATO_TOKEN:-fallback}\"",
        &options,
    )
    .unwrap();
    assert_eq!(c[0].api_user, "me@example.com");
    assert_eq!(c[0].api_token, "fallback");
    let e = load_config("\napi_token = \"${LIBRATO_TOKEN:?is required}\"", &options).unwrap_err();
    assert_eq!(e.message, "variable LIBRATO_TOKEN is required");
    assert_eq!((e.line, e.column), (Some(2), Some(14)));
}

#[test]
fn config_secret_references_checked_not_resolved() {
    let text = "api_user = \"@{vault:user}\"\napi_token = \"@{vault:token}\"";
    assert_eq!(load(text).unwrap()[0].api_token, "@{vault:token}");
    let mut options = LoadOptions {
        secrets: Some(StrMap::from_iter([(
            "vault:user".to_string(),
            "u".to_string(),
        )])),
        ..Default::default()
    };
    let e = load_config(text, &options).unwrap_err();
    assert_eq!(e.message, "unresolved secret reference @{vault:token}");
    assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("api_token")));
    options
        .secrets
        .as_mut()
        .unwrap()
        .insert("token".into(), "t0p".into());
    let c = load_config(text, &options).unwrap();
    assert_eq!(
        c[0].api_token, "@{vault:token}",
        "references stay until the secret is used"
    );
}

#[test]
fn config_from_js_object() {
    let v = serde_json::json!({"api_user": "u", "template": "host.tags", "timeout": "2s", "batch_size": 10, "body_format": "compact"});
    let c = from_json_object(&v).unwrap();
    assert_eq!(
        (c.template.as_str(), c.timeout_ms, c.batch_size),
        ("host.tags", 2000, 10)
    );
    assert_eq!(c.body_format, BodyFormat::Compact);
    let e = from_json_object(&serde_json::json!({"bogus": 1})).unwrap_err();
    assert_eq!(e.message, "unknown key \"bogus\" in [[outputs.librato]]");
    assert_eq!(e.line, None);
    // The JSON form of a config reads back to the same config.
    let back = from_json_object(&c.to_json()).unwrap();
    assert_eq!(back, c);
}

#[test]
fn every_config_error_has_its_kind() {
    use ConfigErrorKind::*;
    for (text, kind) in [
        ("api_url=\"Om\"\n", InvalidValue),
        ("api_url = \"https://u:p@h/\"", InvalidValue),
        ("api_url = \"https:// x\"", InvalidValue),
        ("timeout = \"0s\"", InvalidValue),
        ("batch_size = 0", InvalidValue),
        ("batch_size = \"300\"", WrongType),
        ("bogus = 1", UnknownKey),
        ("a = [", InvalidToml),
        ("api_user = \"${U:?needed}\"", Substitution),
        ("namepass = [\"[a-\"]", InvalidGlob),
        ("template = \"a\"\nsource_tag = \"b\"", Conflict),
    ] {
        let e = load_config(text, &LoadOptions::default()).unwrap_err();
        assert_eq!(e.kind, kind, "{text:?}: {e}");
        // Display gives the position once, then the message.
        if let (Some(l), Some(c)) = (e.line, e.column) {
            assert_eq!(
                e.to_string(),
                format!("line {l}, column {c}: {}", e.message)
            );
        }
    }
    let secrets = Some(StrMap::default());
    let e = load_config(
        "api_token = \"@{vault:t}\"",
        &LoadOptions {
            secrets,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.kind, UnresolvedSecret);
}

#[test]
fn config_errors_after_substitution_point_at_the_users_text() {
    let env = StrMap::from_iter([
        (
            "LONG".to_string(),
            "a-value-much-longer-than-its-reference".to_string(),
        ),
        ("MULTI".to_string(), "x\ny\nz".to_string()),
    ]);
    let options = LoadOptions {
        env,
        ..Default::default()
    };
    // An error after a substitution on the same line: the column is the user's.
    let text = "template = \"${LONG}\" ; retries = \"x\"\n";
    let e = load_config(text, &options).unwrap_err();
    assert_eq!((e.line, e.column), (Some(1), Some(22)), "{e}");
    // A value that brings newlines shifts no later line.
    let text = "# ${MULTI}\napi_user = \"\"\"${MULTI}\"\"\"\nretries = \"many\"\n";
    let e = load_config(text, &options).unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(11)), "{e}");
    assert_eq!(e.key.as_deref(), Some("retries"));
    // An error inside a substituted value points at its ${.
    let text = "debug = false\ntimeout = \"${LONG}\"\n";
    let e = load_config(text, &options).unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(11)), "{e}");
}

#[test]
fn config_api_measurements_defaults_and_bounds() {
    let c = &load("api = \"measurements\"\napi_token = \"t\"\n").unwrap()[0];
    assert_eq!(c.api, Api::Measurements);
    assert_eq!(c.api_url, DEFAULT_MEASUREMENTS_URL);
    assert_eq!(c.batch_size, 300);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    // batch_size before api: bounded by the api all the same.
    let c = &load("batch_size = 1000\napi = \"measurements\"\n").unwrap()[0];
    assert_eq!(c.batch_size, 1000);
    let e = load("batch_size = 1001\napi = \"measurements\"\n").unwrap_err();
    assert_eq!(
        (e.line, e.column, e.key.as_deref()),
        (Some(1), Some(14), Some("batch_size"))
    );
    assert!(e.message.contains("between 1 and 1000"), "{}", e.message);
    let e = load("batch_size = 500\n").unwrap_err();
    assert!(e.message.contains("between 1 and 300"), "{}", e.message);
    let e = load("batch_size = 0\napi = \"measurements\"\n").unwrap_err();
    assert!(
        e.message.contains("between 1 and 1000, found 0"),
        "{}",
        e.message
    );
    // An explicit api_url is kept; the metrics API keeps Telegraf's default.
    let c = &load("api = \"measurements\"\napi_url = \"http://127.0.0.1:1/v1/measurements\"\n")
        .unwrap()[0];
    assert_eq!(c.api_url, "http://127.0.0.1:1/v1/measurements");
    let c = &load("api = \"metrics\"\n").unwrap()[0];
    assert_eq!((c.api, c.api_url.as_str()), (Api::Metrics, DEFAULT_API_URL));
    assert_eq!(c.to_json()["api"], "metrics");
}

#[test]
fn config_api_wrong_values_and_template_warning() {
    let e = load("api_token = \"t\"\napi = \"tags\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(7)));
    assert_eq!(e.kind, ConfigErrorKind::InvalidValue);
    assert!(
        e.message.contains("\"metrics\" or \"measurements\""),
        "{}",
        e.message
    );
    let e = load("api = 1\n").unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::WrongType);
    let c = &load("api = \"measurements\"\ntemplate = \"host.tags\"\n").unwrap()[0];
    assert_eq!(c.warnings.len(), 1);
    assert!(c.warnings[0].starts_with("template is not used with api = \"measurements\""));
    let c = &load("api = \"measurements\"\nsource_tag = \"host\"\n").unwrap()[0];
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("source_tag is not used")),
        "{:?}",
        c.warnings
    );
    let c =
        from_json_object(&serde_json::json!({"api": "measurements", "batch_size": 700})).unwrap();
    assert_eq!((c.api, c.batch_size), (Api::Measurements, 700));
}

#[test]
fn no_config_error_quotes_a_credential_whatever_the_mistake() {
    const SECRET: &str = "9f8e7d6c5b4aSECRET";
    let cases = [
        format!("api_token = {SECRET}\n"),
        format!("api_user = {SECRET}\n"),
        format!("api_token = abc{SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = {SECRET}\n"),
        format!("[[outputs.librato]]\n  \"API_TOKEN\" = {SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = 9{SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = 99999999999999999999{SECRET}\n"),
        "[[outputs.librato]]\n  api_token = 99999999999999999999999\n".to_string(),
        format!("[[outputs.librato]]\n  api_token = \"a\\q{SECRET}\"\n"),
        format!("[[outputs.librato]]\n  api_token = [{SECRET}]\n"),
        format!("[[outputs.librato]]\n  api_token = {{ v = {SECRET} }}\n"),
        format!("[[outputs.librato]]\n  api_token = \"{SECRET}\" {SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = \"{SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = 12{SECRET}\n  api_user = \"x\"\n"),
        format!("[outputs.librato.api_token]\n  x = {SECRET}\n"),
        format!("[[outputs.librato]]\n  api_token = 5\n  api_user = {SECRET}\n"),
    ];
    for text in &cases {
        let err = load(text).expect_err(text);
        let shown = err.to_string();
        for part in [SECRET, "9f8e7d", "SECRET", "99999999999999999999"] {
            assert!(!shown.contains(part), "{text:?} gave {shown:?}");
        }
        assert!(err.line.is_some(), "{shown}");
    }
    // Other keys' values are still quoted, to help.
    let err = load("[[outputs.librato]]\n  template = 9zz\n").unwrap_err();
    assert!(err.to_string().contains("9zz"), "{err}");
}

#[test]
fn an_api_url_of_the_other_api_is_refused_naming_the_fix() {
    let err = load("api = \"measurements\"\napi_url = \"https://l.example.com/v1/metrics\"\n")
        .unwrap_err();
    assert_eq!((err.kind, err.line), (ConfigErrorKind::Conflict, Some(2)));
    assert!(
        err.to_string()
            .contains("set api_url to https://l.example.com/v1/measurements"),
        "{err}"
    );
    let err = load("api_url = \"http://127.0.0.1:1/v1/measurements/\"\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("api = \"metrics\" posts to /v1/metrics"),
        "{err}"
    );
    // Each API's own path, or a proxy's path of any other shape, is fine.
    for text in [
        "api = \"measurements\"\napi_url = \"https://l.example.com/v1/measurements\"\n",
        "api_url = \"https://l.example.com/v1/metrics\"\n",
        "api = \"measurements\"\napi_url = \"https://proxy.example.com/librato\"\n",
    ] {
        assert!(load(text).is_ok(), "{text}");
    }
}

#[test]
fn filter_keys_refused_on_sight_when_asked() {
    let refuse = LoadOptions {
        refuse_filters: true,
        ..Default::default()
    };
    // Refused whatever the value (an empty list, a wrong type), at the key, before later keys.
    for (text, key) in [
        (
            "api_token = \"t\"\nnamepass = []\nretries = \"x\"",
            "namepass",
        ),
        ("tagpass = 5", "tagpass"),
        ("[[outputs.librato]]\n  name_prefix = \"p_\"", "name_prefix"),
    ] {
        let e = load_config(text, &refuse).unwrap_err();
        assert_eq!(e.kind, ConfigErrorKind::FilterRefused, "{text}");
        assert_eq!(e.key.as_deref(), Some(key));
        assert!(e
            .message
            .starts_with(&format!("{key}: LibratoMetrics does not apply")));
        assert!(e.line.is_some());
    }
    // Without the option the same keys are read as Telegraf reads them.
    assert!(load_config("namepass = []", &LoadOptions::default()).is_ok());
}

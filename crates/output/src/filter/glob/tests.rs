//! One table per rule, each case checked against Telegraf 1.40's own filter code over
//! gobwas/glob v0.2.3 (a throwaway Go oracle, kept outside the repository), and a property:
//! without braces or classes, the engine agrees with a plain backtracking matcher (but for
//! gobwas's overlapping prefix and suffix, which it keeps).

use proptest::prelude::*;

use super::Glob;
use crate::filter::Matcher;

fn glob(p: &str, seps: &str) -> Glob {
    let seps: Vec<char> = seps.chars().collect();
    Glob::compile(p, &seps).unwrap_or_else(|e| panic!("{p:?}: {e:?}"))
}

/// (pattern, separators, text, matches)
fn table(cases: &[(&str, &str, &str, bool)]) {
    for &(p, seps, s, want) in cases {
        assert_eq!(
            glob(p, seps).is_match(s),
            want,
            "{p:?} seps {seps:?} on {s:?}"
        );
    }
}

#[test]
fn wildcards_and_separators() {
    table(&[
        ("cpu", "", "cpu", true),
        ("cpu", "", "cpu0", false),
        ("cpu*", "", "cpu_total", true),
        ("*", "", "", true),
        ("*", ".", "a.b", false),
        ("**", ".", "a.b", true),
        ("c?u", "", "cpu", true),
        ("c?u", "", "cu", false),
        ("cpu?x", ".", "cpu.x", false),
        ("cpu.*.count", ".", "cpu.measurement.count", true),
        ("cpu.*.count", ".", "cpu.a.b.count", false),
        ("cpu.**.count", ".", "cpu.a.b.count", true),
        ("é*😀", "", "éx😀", true),
    ]);
}

#[test]
fn classes() {
    table(&[
        ("[abc]pu", "", "cpu", true),
        ("[abc]pu", "", "dpu", false),
        ("disk[0-9]", "", "disk7", true),
        ("disk[!0-9]", "", "diskx", true),
        ("disk[!0-9]", "", "disk7", false),
        // `^` is not a negation in v0.2.3: `[^a-z]` is the four characters ^ a - z.
        ("x[^a-z]", "", "xq", false),
        ("x[^a-z]", "", "x^", true),
        ("x[^a-z]", "", "x-", true),
        ("cpu[.]x", ".", "cpu.x", true),
        ("[\\]]", "", "]", true),
        ("[-]", "", "-", true),
    ]);
}

#[test]
fn class_errors_as_gobwas_reports_them() {
    for (p, message) in [
        ("[a-]", "unexpected end of input"),
        ("[^-]", "unexpected end of input"),
        ("[a-]x", "expected close range character"),
        ("[a-z0-9]", "expected close range character"),
        ("cpu[", "unexpected end of input"),
        ("[abc", "unexpected end of input"),
        ("[]", "could not parse range"),
        ("[z-a]", "hi character 'a' should be greater than lo 'z'"),
    ] {
        let e = Glob::compile(p, &[]).unwrap_err();
        assert_eq!(e.message, message, "{p}");
        assert_eq!(e.offset, p.find('[').unwrap(), "{p}: at its [");
    }
}

#[test]
fn alternatives() {
    table(&[
        ("{cpu,mem}", "", "mem", true),
        ("{cpu,mem}", "", "disk", false),
        ("{cpu*,mem}_x", "", "mem_x", true),
        ("{cpu*,mem}_x", "", "mem", false),
        // gobwas takes the alternation's length from its fixed-length member ("mem": 3) and
        // anchors on it, so a longer `cpu*` branch is never tried whole: Telegraf drops
        // "cpu0_x" here, and so does this.
        ("{cpu*,mem}_x", "", "cpu0_x", false),
        ("{cpu*,mem}_x", "", "cpu_x", true),
        ("a{b,{c,d}}e", "", "ade", true),
        // An unclosed `{` closes at the end.
        ("{a*", "", "abc", true),
        ("x{a,b", "", "xb", true),
        ("x{a,b", "", "x{a,b", false),
        // An empty alternation matches nothing where something must follow or precede.
        ("*{}", "", "a", false),
        ("*{}", "", "", false),
        // Outside braces, `,` and `}` are text.
        ("a}", "", "a}", true),
        ("x,y*", "", "x,yz", true),
        ("a\\*b", "", "a*b", true),
        ("a\\*b", "", "axb", false),
        // A trailing backslash escapes nothing and is dropped.
        ("ab\\", "", "ab", true),
    ]);
}

#[test]
fn glued_wildcards_with_several_separators() {
    // gobwas glues `?*` into "at least one character and not containing the separators"
    // where the separators are checked as one string: with "_." only "_." is excluded.
    table(&[
        ("?*", "_.", "a.b", true),
        ("?*", "_.", "a_.b", false),
        ("?*", ".", "a.b", false),
        ("?*", "", "", false),
        ("??", "", "ab", true),
        ("??", "", "abc", false),
        // A lone `?` or negated class reads the empty string as one U+FFFD (no name is
        // empty, so this never decides a metric).
        ("?", "", "", true),
        ("[!a]", "", "", true),
    ]);
}

#[test]
fn non_ascii_corners_of_fixed_length_runs() {
    // A `?` glued to a text is a fixed-length row, cut by bytes: a multi-byte character
    // there does not match in gobwas, so not here either.
    table(&[("?a*", "", "xab", true), ("?a*", "", "éab", false)]);
}

#[test]
fn prefix_and_suffix_may_overlap_as_in_gobwas() {
    // `text*text` compiles to gobwas's PrefixSuffix, whose Match is HasPrefix && HasSuffix
    // with no length check (match/prefix_suffix.go, v0.2.3): the two may share characters.
    table(&[
        (",*,", "", ",", true),
        ("ab*ba", "", "aba", true),
        ("ab**ba", "", "aba", true),
        ("ab*ba", "", "ab", false),
        // With a separator `*` is not gobwas's Super, and the overlap does not match.
        ("ab*ba", ".", "aba", false),
    ]);
}

fn list(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_list_is_one_glob_per_pattern() {
    let m = Matcher::compile(&list(&["x,y*", "q*"]), "").unwrap();
    assert!(m.is_match("x,yz") && m.is_match("qq") && !m.is_match("x"));
    let m = Matcher::compile(&list(&["a}", "b*"]), "").unwrap();
    assert!(
        m.is_match("a}") && m.is_match("bb"),
        "a '}}' in one pattern breaks no other"
    );
    // No wildcard in any pattern: exact text.
    let m = Matcher::compile(&list(&["{a,b}", "c"]), "").unwrap();
    assert!(m.is_match("{a,b}") && !m.is_match("a"));
    // A separator makes every pattern a glob.
    let m = Matcher::compile(&list(&["{a,b}"]), ".").unwrap();
    assert!(m.is_match("a") && !m.is_match("{a,b}"));
    // One bad pattern fails the list, naming it.
    assert_eq!(
        Matcher::compile(&list(&["ok*", "[z-a]"]), "")
            .unwrap_err()
            .0,
        1
    );
}

/// `***` with a separator: gobwas/glob v0.2.3's own answers (a throwaway Go program over its
/// code), which the plain rules (`reference`, below) do not give: the property test below
/// found the first case. Telegraf's answers are these.
#[test]
fn three_stars_with_a_separator_are_gobwas_own() {
    for (pattern, text, sep, gobwas) in [
        ("]***", "]", ".", false),
        ("a***", "a", ".", false),
        ("a***", "a.b", ".", true),
        ("]***", "]", "", true),
        ("***", "", ".", false),
        ("a**", "a", ".", true),
        ("a***b", "ab", ".", false),
    ] {
        let seps: Vec<char> = sep.chars().collect();
        let g = Glob::compile(pattern, &seps).unwrap();
        assert_eq!(
            g.is_match(text),
            gobwas,
            "{pattern:?} on {text:?} with {sep:?}"
        );
    }
}

/// The rules of `*`, `**`, `?` and `\` by plain backtracking over characters.
fn reference(p: &[char], s: &[char], seps: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            (0..=s.len()).any(|i| reference(&p[2..], &s[i..], seps))
        }
        Some('*') => (0..=s.len())
            .take_while(|&i| i == 0 || !seps.contains(&s[i - 1]))
            .any(|i| reference(&p[1..], &s[i..], seps)),
        Some('?') => {
            s.first().is_some_and(|c| !seps.contains(c)) && reference(&p[1..], &s[1..], seps)
        }
        Some('\\') => match p.get(1) {
            None => s.is_empty(),
            Some(c) => s.first() == Some(c) && reference(&p[2..], &s[1..], seps),
        },
        Some(c) => s.first() == Some(c) && reference(&p[1..], &s[1..], seps),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Without braces or classes, and with at most one separator (two or more change what a
    /// glued `?*` means, see above), ASCII text (fixed-length runs are cut by bytes) that is
    /// not empty (see the lone `?`), the engine is the plain rules.
    #[test]
    fn agrees_with_backtracking_without_braces_or_classes(
        p in prop::collection::vec(prop::sample::select(vec!['a', 'b', '.', '_', '*', '?', '\\', ',', '}', ']', '!']), 0..9),
        s in prop::collection::vec(prop::sample::select(vec!['a', 'b', '.', '_', ',', '}', ']', '*', '?']), 1..10),
        sep in prop::sample::select(vec!["", ".", "_"]),
    ) {
        let pattern: String = p.iter().collect();
        let text: String = s.iter().collect();
        let seps: Vec<char> = sep.chars().collect();
        let g = Glob::compile(&pattern, &seps).unwrap();
        let ours = g.is_match(&text);
        // gobwas's PrefixSuffix lets its prefix and suffix overlap (see the test above):
        // Telegraf's answer there is not the plain rules'.
        // Three stars or more with a separator are gobwas's own too (see the test below):
        // skipped here.
        prop_assume!(seps.is_empty() || !pattern.contains("***"));
        let want = match &g.matcher {
            super::matcher::Matcher::PrefixSuffix(pre, suf) if text.len() < pre.len() + suf.len() => {
                text.starts_with(pre.as_str()) && text.ends_with(suf.as_str())
            }
            _ => reference(&p, &s, &seps),
        };
        prop_assert_eq!(ours, want, "{:?} on {:?} with {:?}", pattern, text, sep);
    }
}

//! Queue messages (the durable relay's and execd's spool format): any text reads as a message or
//! an error, never a panic; a message read back re-encodes to the same items, and regrouping
//! them keeps every item once, in order.
#![no_main]
use libfuzzer_sys::fuzz_target;
use librato_output::queue::message::{encode, read};
use librato_output::queue::pack::split_items;
use librato_output::queue::regroup::regroup;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(m) = read(text) else { return };
    let again = encode(m.api, m.prior_attempts, m.note, m.items.iter().copied());
    let m2 = read(&again).expect("an encoded message reads back");
    assert_eq!(m2.items, m.items);
    assert_eq!((m2.api, m2.prior_attempts), (m.api, m.prior_attempts));
    for batch in [1, 3, 300] {
        let requests = regroup(m.api, &[(0, &m.items[..])], batch);
        let total: usize = requests.iter().map(|r| r.count).sum();
        assert_eq!(total, m.items.len());
        // Items the writer makes start with `{"name":"` and never hold `},{"name":"` again;
        // splitting a body back relies on both, so only such items are checked.
        let writers = m.items.iter().all(|i| {
            i.starts_with("{\"name\":\"") && !i.contains("},{\"name\":\"")
        });
        if writers {
            let back: Vec<&str> = requests.iter().flat_map(|r| split_items(&r.body)).collect();
            assert_eq!(back, m.items);
        }
    }
});

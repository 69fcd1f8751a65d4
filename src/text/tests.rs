use super::*;

fn pos(line: u32, character: u32) -> Position {
    Position { line, character }
}

fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> Change {
    Change {
        range: Some(PosRange {
            start: pos(sl, sc),
            end: pos(el, ec),
        }),
        text: text.to_string(),
    }
}

#[test]
fn offsets_round_trip_in_both_encodings() {
    // emoji (4 bytes, 2 UTF-16 units), CJK (3 bytes, 1 unit), CRLF and lone CR breaks
    let text = "{\"a\": \"😀中\",\r\n\"b\": 1\r\"c\"\n}";
    let rope = Rope::from_str(text);
    let index = LineIndex::new(&rope);
    for (offset, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c == '\n' && text[..offset].ends_with('\r') {
            continue; // between the CR and LF of one line break: not a position
        }
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = index.position(offset, enc);
            assert_eq!(index.offset(p, enc), offset, "{offset} {enc:?} {p:?}");
        }
    }
    let after_cjk = text.find("\",\r\n").unwrap();
    assert_eq!(index.position(after_cjk, Encoding::Utf16), pos(0, 10));
    assert_eq!(index.position(after_cjk, Encoding::Utf8), pos(0, 14));
    assert_eq!(index.position(after_cjk, Encoding::Utf32), pos(0, 9));
    assert_eq!(
        index.position(text.find("\"c\"").unwrap(), Encoding::Utf16),
        pos(2, 0)
    );
}

#[test]
fn raw_line_separators_do_not_break_lines() {
    let rope = Rope::from_str("{\"a\": \"x\u{2028}y\u{85}z\u{0C}\"}\n");
    assert_eq!(rope.len_lines(), 2);
}

#[test]
fn positions_are_clamped() {
    let rope = Rope::from_str("ab\r\ncd");
    let index = LineIndex::new(&rope);
    // past the end of a line: the line's content end, never inside the CRLF
    assert_eq!(index.offset(pos(0, 99), Encoding::Utf16), 2);
    assert_eq!(index.offset(pos(0, 99), Encoding::Utf8), 2);
    // past the last line: end of text
    assert_eq!(index.offset(pos(40, 0), Encoding::Utf16), 6);
    assert_eq!(index.position(1000, Encoding::Utf16), pos(1, 2));
    // inside a surrogate pair: the start of that char
    let rope = Rope::from_str("😀x");
    let index = LineIndex::new(&rope);
    assert_eq!(index.offset(pos(0, 1), Encoding::Utf16), 0);
    // inside a UTF-8 sequence: the start of that char
    assert_eq!(index.offset(pos(0, 2), Encoding::Utf8), 0);
    assert_eq!(index.position(2, Encoding::Utf8), pos(0, 0));
}

#[test]
fn incremental_changes_apply_in_order() {
    let mut doc = Document::new("{\n  \"名\": \"😀\"\n}\n", 1);
    doc.apply(
        [
            // after the emoji (UTF-16 column 10), insert text
            change(1, 10, 1, 10, "!"),
            // then replace the key, which moved nothing on its left
            change(1, 3, 1, 4, "name"),
        ],
        2,
        Encoding::Utf16,
    );
    assert_eq!(doc.text(), "{\n  \"name\": \"😀!\"\n}\n");
    assert_eq!(doc.version(), 2);
    // reversed range and far-out positions never panic
    doc.apply(
        [change(9, 9, 0, 0, "x"), change(0, 0, 99, 99, "[]")],
        3,
        Encoding::Utf8,
    );
    assert_eq!(doc.text(), "[]");
    doc.apply(
        [Change {
            range: None,
            text: "{}".into(),
        }],
        4,
        Encoding::Utf8,
    );
    assert_eq!(doc.text(), "{}");
}

#[test]
fn deleting_a_line_break_removes_the_whole_crlf() {
    let mut doc = Document::new("a\r\nb", 1);
    doc.apply([change(0, 1, 1, 0, "")], 2, Encoding::Utf16);
    assert_eq!(doc.text(), "ab");
}

#[test]
fn the_covering_edit_describes_every_sequence_of_changes() {
    // A small deterministic generator: positions on several lines, multi-byte text, deletions.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % u64::from(n.max(1))) as u32
    };
    let inserts = ["", "x", "名", "😀", "\n", "\r\n", "ab\ncd"];
    for round in 0..300 {
        let old = "{\n  \"名\": \"😀\",\r\n  \"b\": [1, 2]\n}\n";
        let mut doc = Document::new(old, 1);
        assert_eq!(doc.take_changed(), Some(Changed::All));
        assert_eq!(doc.take_changed(), None);
        let count = 1 + next(4);
        for v in 0..count {
            let (l1, c1, l2, c2) = (next(6), next(12), next(6), next(12));
            let text = inserts[next(inserts.len() as u32) as usize];
            doc.apply(
                [change(l1, c1, l2, c2, text)],
                2 + v as i32,
                Encoding::Utf16,
            );
        }
        let new = doc.text();
        let Some(Changed::Range(e)) = doc.take_changed() else {
            panic!("round {round}: expected a range");
        };
        assert!(
            e.start <= e.old_end && e.old_end <= old.len(),
            "round {round}: {e:?}"
        );
        assert!(
            e.start <= e.new_end && e.new_end <= new.len(),
            "round {round}: {e:?}"
        );
        assert_eq!(old[..e.start], new[..e.start], "round {round}: {e:?}");
        assert_eq!(old[e.old_end..], new[e.new_end..], "round {round}: {e:?}");
    }
}

use super::*;

fn s(t: &str) -> Key {
    Key::Str(Str::new(t))
}

fn keys(t: &MapTable) -> Vec<String> {
    t.keys()
        .map(|k| match k {
            Key::Str(s) => s.to_string(),
            Key::Int(i) => i.to_string(),
            Key::Bool(b) => b.to_string(),
            Key::Bytes(_) => "bytes".into(),
        })
        .collect()
}

#[test]
fn a_small_table_is_three_words() {
    assert_eq!(
        std::mem::size_of::<MapTable>(),
        3 * std::mem::size_of::<usize>()
    );
}

#[test]
fn growing_past_small_keeps_order_and_values() {
    let mut t = MapTable::new();
    for i in 0..20 {
        assert!(t.insert(Key::Int(i), Value::Int(i * 10)).is_none());
        assert_eq!(t.is_large(), i as usize >= SMALL);
    }
    assert_eq!(t.len(), 20);
    assert_eq!(keys(&t), (0..20).map(|i| i.to_string()).collect::<Vec<_>>());
    assert!(matches!(t.get(&Key::Int(13)), Some(Value::Int(130))));
    // Replacing keeps the place.
    assert!(matches!(
        t.insert(Key::Int(3), Value::Nil),
        Some(Value::Int(30))
    ));
    assert_eq!(t.get_index_of(&Key::Int(3)), Some(3));
}

#[test]
fn removing_shifts_and_readding_goes_last() {
    for n in [4, 12] {
        let mut t: MapTable = (0..n)
            .map(|i| (s(&format!("k{i}")), Value::Int(i)))
            .collect();
        assert!(matches!(t.shift_remove(&s("k1")), Some(Value::Int(1))));
        assert!(t.shift_remove(&s("k1")).is_none());
        t.insert(s("k1"), Value::Int(1));
        let want: Vec<String> = (0..n)
            .filter(|&i| i != 1)
            .chain([1])
            .map(|i| format!("k{i}"))
            .collect();
        assert_eq!(keys(&t), want);
        assert_eq!(t.index_of_str(&Str::new("k1")), Some(n as usize - 1));
    }
}

#[test]
fn a_str_key_is_found_by_text_as_well_as_by_pointer() {
    let name = Str::new("name");
    let mut t = MapTable::new();
    t.insert(Key::Str(name.clone()), Value::Int(1));
    t.insert(s("named"), Value::Int(2));
    assert_eq!(t.index_of_str(&name), Some(0));
    assert_eq!(t.index_of_str(&Str::new("name")), Some(0));
    assert_eq!(t.index_of_str(&Str::new("named")), Some(1));
    assert_eq!(t.index_of_str(&Str::new("nam")), None);
    // Keys of other kinds never match a str.
    t.insert(Key::Int(1), Value::Nil);
    t.insert(Key::Bool(true), Value::Nil);
    assert_eq!(t.len(), 4);
    assert!(t.contains_key(&Key::Int(1)) && t.contains_key(&Key::Bool(true)));
    assert!(!t.contains_key(&Key::Bool(false)));
}

#[test]
fn entry_reserve_and_into_iter() {
    let mut t = MapTable::with_capacity(2);
    *t.entry(s("a")).or_insert(Value::Int(0)) = Value::Int(5);
    assert!(matches!(
        t.entry(s("a")).or_insert(Value::Int(0)),
        Value::Int(5)
    ));
    t.reserve_exact(20);
    assert!(t.is_large() && t.capacity() >= 21);
    let pairs: Vec<(Key, Value)> = t.into_iter().collect();
    assert_eq!(pairs.len(), 1);
}

#[test]
fn a_deep_chain_of_maps_drops_without_recursing() {
    for large in [false, true] {
        let mut v = Value::Nil;
        for i in 0..200_000 {
            let mut t = MapTable::new();
            if large {
                for j in 0..SMALL as i64 {
                    t.insert(Key::Int(j), Value::Int(i));
                }
            }
            t.insert(s("next"), v);
            v = Value::Map(std::rc::Rc::new(std::cell::RefCell::new(t)));
        }
        drop(v);
    }
}

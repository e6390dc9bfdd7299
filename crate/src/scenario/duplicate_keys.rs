//! Duplicate JSON keys. serde_json keeps the last of two equal keys in a map
//! without a word (`"parameters": {"x": …, "x": …}`), and a person reading the
//! file sees the first: so every object of the text is walked once and a key
//! given twice is an error naming its path. (Struct fields are caught by serde
//! itself; maps such as `parameters` and `toggles` are not.)

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The path (`parameters.dead_time`) and key of the first duplicate, if any.
/// `text` must already be valid JSON (the typed parse ran first).
pub fn find(text: &str) -> Option<(String, String)> {
    let mut found = None;
    let mut json = serde_json::Deserializer::from_str(text);
    // Errors cannot happen on text that parsed already; if one did, the typed
    // parse has reported it, so there is nothing more to say here.
    let _ = Walk { path: String::new(), found: &mut found }.deserialize(&mut json);
    found
}

struct Walk<'a> {
    path: String,
    found: &'a mut Option<(String, String)>,
}

impl Walk<'_> {
    fn child(&self, part: &str, indexed: bool) -> String {
        match (self.path.is_empty(), indexed) {
            (_, true) => format!("{}[{part}]", self.path),
            (true, false) => part.to_string(),
            (false, false) => format!("{}.{part}", self.path),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = self.child(&i.to_string(), true);
            if self.found.is_some() {
                // Already found one: skip the rest quickly.
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
            } else if seq.next_element_seed(Walk { path, found: &mut *self.found })?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.found.is_some() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let path = self.child(&key, false);
            if !keys.insert(key.clone()) {
                *self.found = Some((path, key));
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(Walk { path, found: &mut *self.found })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_a_repeated_key_with_its_path() {
        assert_eq!(find(r#"{"a": 1, "b": {"c": [1, {"d": 1, "d": 2}]}}"#), Some(("b.c[1].d".into(), "d".into())));
        assert_eq!(find(r#"{"a": 1, "a": 2}"#), Some(("a".into(), "a".into())));
        assert_eq!(find(r#"{"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}]}"#), None);
    }
}

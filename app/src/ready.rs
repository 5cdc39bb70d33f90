//! A server function's answer that the server keeps as ready JSON: a cached view (the
//! dashboard's figures) is serialised once when counted, and each request sends those same
//! bytes (`output = Post<ReadyJson>`: shared, not copied). The browser reads it as the
//! plain value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Deref;
use std::sync::Arc;

#[derive(Debug)]
pub struct Ready<T> {
    value: Arc<T>,
    #[cfg(feature = "ssr")]
    json: Option<Arc<ssr::Json>>,
}

// Not derived: a copy shares the value and its bytes, whatever `T` is.
impl<T> Clone for Ready<T> {
    fn clone(&self) -> Self {
        Ready {
            value: self.value.clone(),
            #[cfg(feature = "ssr")]
            json: self.json.clone(),
        }
    }
}

impl<T> Deref for Ready<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Ready<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "ssr")]
        if let Some(json) = &self.json {
            // Kept bytes are valid JSON (written by serde_json): borrowed, not parsed.
            let raw: &serde_json::value::RawValue =
                serde_json::from_slice(&json.bytes).map_err(serde::ser::Error::custom)?;
            return raw.serialize(serializer);
        }
        self.value.serialize(serializer)
    }
}

/// The answer encoding for [`Ready`] values: JSON, sent from the kept bytes as they are.
pub struct ReadyJson;

impl leptos::server_fn::ContentType for ReadyJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl leptos::server_fn::FormatType for ReadyJson {
    const FORMAT_TYPE: leptos::server_fn::Format = leptos::server_fn::Format::Text;
}

impl<T: Serialize> leptos::server_fn::Encodes<Ready<T>> for ReadyJson {
    type Error = serde_json::Error;

    fn encode(output: &Ready<T>) -> Result<leptos::server_fn::Bytes, Self::Error> {
        #[cfg(feature = "ssr")]
        if let Some(json) = &output.json {
            return Ok(json.bytes.clone());
        }
        serde_json::to_vec(&*output.value).map(Into::into)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server_fn::Decodes<Ready<T>> for ReadyJson {
    type Error = serde_json::Error;

    fn decode(bytes: leptos::server_fn::Bytes) -> Result<Ready<T>, Self::Error> {
        serde_json::from_slice(&bytes)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ready<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Ready {
            value: Arc::new(value),
            #[cfg(feature = "ssr")]
            json: None,
        })
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use blake2::{Blake2s256, Digest};

    #[derive(Debug)]
    pub(super) struct Json {
        pub bytes: leptos::server_fn::Bytes,
        pub etag: String,
    }

    impl<T: Serialize> Ready<T> {
        /// Serialises the value once, and names its bytes with a weak entity tag.
        pub fn new(value: T) -> Result<Self, serde_json::Error> {
            let bytes = leptos::server_fn::Bytes::from(serde_json::to_vec(&value)?);
            let digest = Blake2s256::digest(&bytes);
            let etag = format!(
                "W/\"{}\"",
                digest[..16]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            Ok(Ready {
                value: Arc::new(value),
                json: Some(Arc::new(Json { bytes, etag })),
            })
        }

        /// The JSON this answer sends, shared, and its entity tag.
        pub fn kept(&self) -> Option<(leptos::server_fn::Bytes, &str)> {
            self.json
                .as_ref()
                .map(|j| (j.bytes.clone(), j.etag.as_str()))
        }

        /// The entity tag of the JSON this answer sends; equal bytes, equal tags.
        pub fn etag(&self) -> Option<&str> {
            self.json.as_ref().map(|j| j.etag.as_str())
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Figures {
        round: i64,
        counts: Vec<u32>,
    }

    #[test]
    fn sends_the_bytes_it_was_made_with_and_reads_back_as_the_value() {
        let ready = Ready::new(Figures {
            round: 7,
            counts: vec![1, 2, 3],
        })
        .unwrap();
        let sent = serde_json::to_string(&ready).unwrap();
        assert_eq!(sent, r#"{"round":7,"counts":[1,2,3]}"#);
        let read: Ready<Figures> = serde_json::from_str(&sent).unwrap();
        assert_eq!(*read, *ready);
        assert_eq!(read.etag(), None);
        // As the server function sends it: the kept bytes themselves.
        use leptos::server_fn::{Decodes, Encodes};
        let sent_bytes = ReadyJson::encode(&ready).unwrap();
        assert_eq!(sent_bytes, sent.as_bytes());
        let back: Ready<Figures> = ReadyJson::decode(sent_bytes).unwrap();
        assert_eq!(*back, *ready);
        // Inside a larger answer too.
        assert_eq!(
            serde_json::to_string(&vec![ready.clone()]).unwrap(),
            format!("[{sent}]")
        );
    }

    #[test]
    fn equal_values_have_equal_tags_and_different_ones_do_not() {
        let a = Ready::new(vec![1, 2]).unwrap();
        let b = Ready::new(vec![1, 2]).unwrap();
        let c = Ready::new(vec![2, 1]).unwrap();
        assert_eq!(a.etag(), b.etag());
        assert_ne!(a.etag(), c.etag());
        let tag = a.etag().unwrap();
        assert!(tag.starts_with("W/\"") && tag.ends_with('"') && tag.len() == 36);
    }
}

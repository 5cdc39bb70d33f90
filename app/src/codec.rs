//! How server function answers and server-rendered data reach the browser: postcard, a
//! compact binary form, rather than JSON.
//!
//! Why: decoding JSON was a quarter of the browser's WebAssembly (2026-12-06, measured from
//! the release module's name section). serde's derived decoders take a JSON object field by
//! field, by name, and also as an array; postcard reads fields in order and nothing else, so
//! each type's decoder is a fraction of the size.
//!
//! Anyone else asking (scripts, tests, `curl`) gets JSON: the app's own calls say
//! `Accept: application/x-postcard`, and the server answers in postcard only then
//! ([`answer_format`] wraps each server function call; see `server::guard`).

use leptos::server_fn::Bytes;
use serde::{de::DeserializeOwned, Serialize};

/// The media type of a postcard answer.
pub const POSTCARD: &str = "application/x-postcard";

/// A server function's answer: `#[server(output = crate::codec::Compact)]`.
pub type Compact = leptos::server_fn::codec::Post<Postcard>;

/// Data a page's resource carries from the server's HTML to the browser.
pub type Data<T> = leptos::prelude::Resource<T, Postcard>;

/// A resource whose server-rendered value travels as postcard (see [`Data`]).
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    leptos::prelude::Resource::new_with_options(source, fetcher, false)
}

/// The codec for both: postcard, or JSON for a server function caller that did not ask for
/// postcard.
pub struct Postcard;

impl leptos::server_fn::ContentType for Postcard {
    const CONTENT_TYPE: &'static str = POSTCARD;
}

impl leptos::server_fn::FormatType for Postcard {
    const FORMAT_TYPE: leptos::server_fn::Format = leptos::server_fn::Format::Binary;
}

impl<T: Serialize> leptos::server_fn::Encodes<T> for Postcard {
    type Error = String;

    fn encode(value: &T) -> Result<Bytes, String> {
        #[cfg(feature = "ssr")]
        if !answer_format::postcard() {
            return serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|e| e.to_string());
        }
        postcard::to_allocvec(value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    }
}

impl<T: DeserializeOwned> leptos::server_fn::Decodes<T> for Postcard {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, String> {
        postcard::from_bytes(&bytes).map_err(|e| e.to_string())
    }
}

impl<T: Serialize> codee::Encoder<T> for Postcard {
    type Error = postcard::Error;
    type Encoded = Vec<u8>;

    fn encode(value: &T) -> Result<Vec<u8>, postcard::Error> {
        postcard::to_allocvec(value)
    }
}

impl<T: DeserializeOwned> codee::Decoder<T> for Postcard {
    type Error = postcard::Error;
    type Encoded = [u8];

    fn decode(bytes: &[u8]) -> Result<T, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

/// Which form this request's server function answers in.
#[cfg(feature = "ssr")]
pub mod answer_format {
    use axum::http::{header, HeaderMap, HeaderValue, Response};

    tokio::task_local! {
        static POSTCARD: bool;
    }

    /// Whether the caller asked for postcard (the app's own WebAssembly does).
    pub fn asks_postcard(headers: &HeaderMap) -> bool {
        headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(super::POSTCARD))
    }

    /// Runs a server function call, answering in postcard only if `postcard`; a JSON answer
    /// is labelled as JSON.
    pub async fn scope<B>(
        postcard: bool,
        call: impl std::future::Future<Output = Response<B>>,
    ) -> Response<B> {
        let mut response = POSTCARD.scope(postcard, call).await;
        if !postcard {
            let headers = response.headers_mut();
            if headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes)
                == Some(super::POSTCARD.as_bytes())
            {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
        }
        response
    }

    /// Outside a request (the server's own calls), postcard: nothing reads it but the
    /// browser.
    pub(super) fn postcard() -> bool {
        POSTCARD.try_with(|p| *p).unwrap_or(true)
    }
}

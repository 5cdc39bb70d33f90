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
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The media type of a postcard answer.
pub const POSTCARD: &str = "application/x-postcard";

/// A server function's answer: `#[server(output = crate::codec::Compact)]`.
pub type Compact = leptos::server_fn::codec::Post<Postcard>;

/// Data a page's resource carries from the server's HTML to the browser, kept as postcard
/// bytes and decoded as it is read. Every page's resources share one resource type, so the
/// reactive machinery is compiled once, not once per kind of data and per call site (it was
/// about 10 % of the WebAssembly).
pub struct Data<T> {
    raw: leptos::prelude::Resource<Vec<u8>, Postcard>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Clone for Data<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Data<T> {}

/// What a resource fetches: a server function's answer, with what to show if its bytes do
/// not decode (a newer server's answer to an older page, say).
pub trait Fetched: Serialize + DeserializeOwned + Send + Sync + 'static {
    fn undecodable() -> Self;
}

impl<X> Fetched for Result<X, crate::AppError>
where
    X: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn undecodable() -> Self {
        Err(crate::AppError::Internal)
    }
}

impl<X> Fetched for Option<Result<X, crate::AppError>>
where
    X: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn undecodable() -> Self {
        Some(Err(crate::AppError::Internal))
    }
}

impl<T: Fetched> Data<T> {
    /// The value, once there, tracked.
    pub fn get(&self) -> Option<T> {
        use leptos::prelude::With;
        self.raw.with(|bytes| bytes.as_deref().map(decoded))
    }
}

fn decoded<T: Fetched>(bytes: &[u8]) -> T {
    postcard::from_bytes(bytes).unwrap_or_else(|_| T::undecodable())
}

impl<T: Fetched> std::future::IntoFuture for Data<T> {
    type Output = T;
    type IntoFuture = Decoding<T>;

    fn into_future(self) -> Decoding<T> {
        Decoding {
            bytes: Box::pin(self.raw.into_future()),
            answer: PhantomData,
        }
    }
}

/// Awaits a [`Data`] (inside `Suspend`, so `Suspense` waits for it).
pub struct Decoding<T> {
    bytes: Pin<Box<dyn Future<Output = Vec<u8>> + Send>>,
    answer: PhantomData<fn() -> T>,
}

impl<T: Fetched> Future for Decoding<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.bytes.as_mut().poll(cx).map(|bytes| decoded(&bytes))
    }
}

/// A resource's source value with its type erased, compared as its own type.
#[derive(Clone)]
struct Key {
    value: Arc<dyn Any + Send + Sync>,
    same: fn(&dyn Any, &dyn Any) -> bool,
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        (self.same)(&*self.value, &*other.value)
    }
}

fn same<S: PartialEq + 'static>(a: &dyn Any, b: &dyn Any) -> bool {
    matches!((a.downcast_ref::<S>(), b.downcast_ref::<S>()), (Some(a), Some(b)) if a == b)
}

type Fetch = Box<dyn Fn(Key) -> Pin<Box<dyn Future<Output = Vec<u8>> + Send>> + Send + Sync>;

/// A resource whose server-rendered value travels as postcard (see [`Data`]).
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Fetched,
    Fut: Future<Output = T> + Send + 'static,
{
    let source = Box::new(move || Key {
        value: Arc::new(source()),
        same: same::<S>,
    });
    let fetch: Fetch = Box::new(move |key: Key| {
        // Always `Some`: the key came from this resource's own source. Were it not, the
        // page would show an internal error rather than panic.
        let source = key.value.downcast_ref::<S>().cloned();
        let answer = source.map(&fetcher);
        Box::pin(async move {
            let answer = match answer {
                Some(answer) => answer.await,
                None => T::undecodable(),
            };
            postcard::to_allocvec(&answer).unwrap_or_default()
        })
    });
    Data {
        raw: erased_resource(source, fetch),
        answer: PhantomData,
    }
}

/// Provided inside every island (`pages::wrap`).
#[derive(Clone, Copy)]
pub struct InIsland;

#[track_caller]
fn erased_resource(
    source: Box<dyn Fn() -> Key + Send + Sync>,
    fetch: Fetch,
) -> leptos::prelude::Resource<Vec<u8>, Postcard> {
    // In an island, a resource must be made in the island's body, as it is first drawn: the
    // server sends its answer with the page only then, and the browser numbers resources in
    // the order it makes them. One made later (by a part drawn once other data has come)
    // would be fetched again in the browser and its part drawn twice.
    #[cfg(feature = "ssr")]
    if leptos::prelude::use_context::<InIsland>().is_some()
        && !leptos::reactive::owner::Owner::current_shared_context()
            .is_some_and(|sc| sc.get_is_hydrating())
    {
        tracing::error!(at = %std::panic::Location::caller(), "a resource was made inside an island after its body");
    }
    leptos::prelude::Resource::new_with_options(move || source(), move |key| fetch(key), false)
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
        /// Set, to `true`, only around a call that asked for postcard.
        static ASKED: bool;
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
    /// is labelled as JSON. Only a postcard call pays for the task-local scope.
    pub async fn scope<B>(
        postcard: bool,
        call: impl std::future::Future<Output = Response<B>>,
    ) -> Response<B> {
        if postcard {
            return ASKED.scope(true, call).await;
        }
        let mut response = call.await;
        let headers = response.headers_mut();
        if headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes)
            == Some(super::POSTCARD.as_bytes())
        {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        response
    }

    /// JSON unless this call asked for postcard.
    pub(super) fn postcard() -> bool {
        ASKED.try_with(|p| *p).unwrap_or(false)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap, HeaderValue, Response};
    use chrono::{DateTime, NaiveDate, Utc};
    use leptos::server_fn::{Decodes, Encodes};
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Kind {
        Plain,
        Counted(i64),
        Named { name: String },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Answer {
        at: DateTime<Utc>,
        day: NaiveDate,
        note: Option<String>,
        kinds: Vec<Kind>,
        #[serde(default)]
        flag: bool,
        score: f64,
    }

    fn answer() -> Answer {
        Answer {
            at: "2026-12-06T15:40:00Z".parse().unwrap(),
            day: NaiveDate::from_ymd_opt(2027, 1, 29).unwrap(),
            note: Some("Grade: good — “the child’s voice”".into()),
            kinds: vec![
                Kind::Plain,
                Kind::Counted(-3),
                Kind::Named { name: "IRO".into() },
            ],
            flag: true,
            score: 0.25,
        }
    }

    /// A server function's answer as the server would send it, asked for postcard or not.
    async fn answered(postcard: bool) -> Response<Bytes> {
        answer_format::scope(postcard, async {
            let body = <Postcard as Encodes<Answer>>::encode(&answer()).unwrap();
            Response::builder()
                .header(header::CONTENT_TYPE, POSTCARD)
                .body(body)
                .unwrap()
        })
        .await
    }

    #[tokio::test]
    async fn asked_for_postcard_the_answer_is_postcard_and_decodes() {
        let response = answered(true).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], POSTCARD);
        let body = response.into_body();
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
        let decoded: Answer = <Postcard as Decodes<Answer>>::decode(body).unwrap();
        assert_eq!(decoded, answer());
    }

    #[tokio::test]
    async fn not_asked_for_postcard_the_answer_is_json_labelled_as_json() {
        let response = answered(false).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let decoded: Answer = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(decoded, answer());
    }

    #[test]
    fn only_an_accept_naming_postcard_asks_for_it() {
        let asks = |accept: &[&str]| {
            let mut headers = HeaderMap::new();
            for a in accept {
                headers.append(header::ACCEPT, HeaderValue::from_str(a).unwrap());
            }
            answer_format::asks_postcard(&headers)
        };
        assert!(asks(&[POSTCARD]));
        assert!(asks(&["text/plain", POSTCARD]));
        assert!(asks(&["application/json, application/x-postcard;q=0.9"]));
        assert!(!asks(&[]));
        assert!(!asks(&["*/*"]));
        assert!(!asks(&["application/json"]));
        assert!(!asks(&["text/html,application/xhtml+xml,*/*;q=0.8"]));
    }

    #[test]
    fn page_data_travels_as_postcard_through_the_page() {
        use leptos::server::{FromEncodedStr, IntoEncodedString};
        let encoded = <Postcard as codee::Encoder<Answer>>::encode(&answer()).unwrap();
        // As the server writes it into the page, and the browser reads it back.
        let text = encoded.into_encoded_string();
        let bytes = <[u8]>::from_encoded_str(&text).unwrap();
        let decoded: Answer =
            <Postcard as codee::Decoder<Answer>>::decode(std::borrow::Borrow::borrow(&bytes))
                .unwrap();
        assert_eq!(decoded, answer());
    }

    #[test]
    fn a_truncated_answer_is_an_error_not_a_panic() {
        let mut bytes = postcard::to_allocvec(&answer()).unwrap();
        bytes.truncate(bytes.len() / 2);
        assert!(<Postcard as Decodes<Answer>>::decode(Bytes::from(bytes)).is_err());
    }

    #[test]
    fn page_data_that_does_not_decode_reads_as_an_internal_error() {
        let mut bytes = postcard::to_allocvec(&Ok::<Answer, crate::AppError>(answer())).unwrap();
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(
            decoded::<Result<Answer, crate::AppError>>(&bytes),
            Err(crate::AppError::Internal)
        ));
        assert!(matches!(
            decoded::<Option<Result<Answer, crate::AppError>>>(&[]),
            Some(Err(crate::AppError::Internal))
        ));
    }

    #[test]
    fn resource_sources_compare_as_their_own_type() {
        let key = |value: Arc<dyn Any + Send + Sync>, same| Key { value, same };
        let one = key(Arc::new(1i64), same::<i64>);
        assert!(one == key(Arc::new(1i64), same::<i64>));
        assert!(one != key(Arc::new(2i64), same::<i64>));
        // The same number as another type is another source.
        assert!(one != key(Arc::new(1i32), same::<i32>));
        let pair = key(Arc::new((Some(3i64), 7usize)), same::<(Option<i64>, usize)>);
        assert!(pair == key(Arc::new((Some(3i64), 7usize)), same::<(Option<i64>, usize)>));
        assert!(
            pair != key(
                Arc::new((None::<i64>, 7usize)),
                same::<(Option<i64>, usize)>
            )
        );
    }

    #[tokio::test]
    async fn page_data_is_fetched_kept_as_bytes_and_read_as_its_own_type() {
        let _ = any_spawner::Executor::init_tokio();
        let owner = leptos::prelude::Owner::new();
        owner.set();
        let data = resource(
            || Some(21i64),
            |n| async move { n.map(|n| n * 2).ok_or(crate::AppError::NotFound) },
        );
        assert!(matches!(data.await, Ok(42)));
        let answered = resource(|| (), |_| async { Ok::<Answer, crate::AppError>(answer()) });
        assert_eq!(answered.await.unwrap(), answer());
        let refused = resource(
            || 1u8,
            |_| async { Err::<Answer, _>(crate::AppError::Forbidden) },
        );
        assert!(matches!(refused.await, Err(crate::AppError::Forbidden)));
    }
}

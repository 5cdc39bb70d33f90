//! The route a page was drawn for, carried into its island.
//!
//! Pages are drawn on the server, where Leptos's router matches the address; in the browser
//! only islands run, with no router. A page's island takes the route as a prop (its path,
//! parameters and query, as the server saw them) and provides it, so code inside reads
//! `use_route()` the same way on both sides and hydration sees the same values.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub path: String,
    params: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Route {
    /// The route being drawn, on the server (anywhere: outside a matched route its
    /// parameters are empty). In the browser there is no request, so it is empty.
    pub fn here() -> Route {
        use leptos_router::location::RequestUrl;
        use leptos_router::params::ParamsMap;
        let pairs = |map: ParamsMap| {
            map.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>()
        };
        let params = use_context::<ArcMemo<ParamsMap>>()
            .map(|params| pairs(params.get_untracked()))
            .unwrap_or_default();
        let Some(url) = use_context::<RequestUrl>().and_then(|url| url.parse().ok()) else {
            return Route {
                params,
                ..Route::default()
            };
        };
        Route {
            path: url.path().to_string(),
            params,
            query: pairs(url.search_params().clone()),
        }
    }

    /// A route with this path and query, and no parameters.
    #[cfg(test)]
    pub(crate) fn with_query(path: &str, query: Vec<(String, String)>) -> Route {
        Route {
            path: path.to_string(),
            params: Vec::new(),
            query,
        }
    }

    pub fn param(&self, name: &str) -> Option<String> {
        find(&self.params, name)
    }

    /// A numeric route parameter (a record's ID).
    pub fn id(&self, name: &str) -> Option<i64> {
        self.param(name).and_then(|v| v.parse().ok())
    }

    pub fn query(&self, name: &str) -> Option<String> {
        find(&self.query, name)
    }

    /// The last value of `name` in the query: a plain post refused twice comes back with
    /// both refusals in the address (each redirect adds its own), and the newer counts.
    pub fn last_query(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The address's query string, without `?` (empty when there is none).
    pub fn search(&self) -> String {
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn find(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The error a server function sent back in the address after a plain form post (before
/// the WebAssembly loads, the framework redirects back with `__path` and `__err`), if it
/// came from one of `paths`: a stale address from another form shows nothing.
pub fn url_error(route: &Route, paths: &[&str]) -> Option<crate::AppError> {
    use leptos::server_fn::error::ServerFnUrlError;
    let path = route.last_query("__path")?;
    if !paths.contains(&path.as_str()) {
        return None;
    }
    route
        .last_query("__err")
        .map(|e| ServerFnUrlError::<crate::AppError>::decode_err(&e))
}

/// The route's parameters, read as with Leptos's `use_params_map` (which needs the router,
/// and so works only on the server).
pub fn use_params_map() -> Signal<leptos_router::params::ParamsMap> {
    Signal::stored(to_map(&use_route().params))
}

/// The route's query, read as with Leptos's `use_query_map`.
pub fn use_query_map() -> Signal<leptos_router::params::ParamsMap> {
    Signal::stored(to_map(&use_route().query))
}

fn to_map(pairs: &[(String, String)]) -> leptos_router::params::ParamsMap {
    let mut map = leptos_router::params::ParamsMap::new();
    // `insert` unescapes, and the route holds values already unescaped.
    for (k, v) in pairs {
        map.insert(k.clone(), encode(v));
    }
    map
}

/// What every island does first: it provides its route and, on a signed-in page, the person
/// it was drawn for (each island has its own reactive owner, so nothing provided outside it
/// reaches it in the browser).
pub fn enter_island(route: Route, me: Option<crate::auth::Me>) {
    provide_context(route);
    // A page's title is drawn on the server; an island that sets it again needs its own.
    #[cfg(feature = "hydrate")]
    leptos_meta::provide_meta_context();
    #[cfg(feature = "hydrate")]
    crate::auth::set_browser_person(me.as_ref().map_or(0, |me| me.person_id));
    if let Some(me) = me {
        provide_context(me);
    }
}

/// The route of the page being drawn: in an island, the one it was given; on the server
/// outside islands, the router's.
pub fn use_route() -> Route {
    let route = use_context::<Route>();
    #[cfg(not(feature = "hydrate"))]
    let route = route.or_else(|| Some(Route::here()));
    route.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_query_are_read_by_name() {
        let route = Route {
            path: "/audits/7".into(),
            params: vec![("id".into(), "7".into())],
            query: vec![
                ("page".into(), "2".into()),
                ("q".into(), "a b&c".into()),
                ("page".into(), "3".into()),
            ],
        };
        assert_eq!(route.id("id"), Some(7));
        assert_eq!(route.param("nope"), None);
        assert_eq!(route.query("page").as_deref(), Some("2"));
        assert_eq!(route.last_query("page").as_deref(), Some("3"));
        assert_eq!(route.search(), "page=2&q=a%20b%26c&page=3");
        let q = to_map(&route.query);
        assert_eq!(q.get("q").as_deref(), Some("a b&c"));
    }
}

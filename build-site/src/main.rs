//! `cargo run -p build-site`: the development site, as `cargo leptos build --split` makes it
//! (the same cargo commands and flags, so their artifacts are shared), without cargo-leptos.
//! Building cargo-leptos from source was about 6 of a fresh machine's minutes, and
//! wasm-bindgen-cli another 1.5; this tool's own dependencies take well under one.
//! `scripts/release` still uses cargo-leptos (wasm-opt, minified JavaScript and CSS,
//! precompressed files).
//!
//! Steps: the WebAssembly (with relocations, for splitting) and the server; the lazy
//! routes split into their own files; wasm-bindgen's JavaScript; the stylesheet; then every
//! file renamed with its content's hash and `target/debug/hash.txt` written, as the server
//! expects (`LEPTOS_HASH_FILES`).

use anyhow::{bail, Context, Result};
use base64ct::{Base64UrlUnpadded, Encoding};
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// As `[workspace.metadata.leptos]` in Cargo.toml says (checked at start).
const OUTPUT_NAME: &str = "practice-audit";
const SITE_ROOT: &str = "target/site";
const PKG_DIR: &str = "pkg";
const STYLE_FILE: &str = "style/main.css";
const FRONT_TARGET: &str = "target/front";
const HASH_FILE: &str = "target/debug/hash.txt";
/// The split loader's name before hashing: 22 characters, the length of an MD5 in base64.
const PLACEHOLDER: &str = "______________________";

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace root")?;
    std::env::set_current_dir(root)?;
    check_metadata()?;
    let started = std::time::Instant::now();

    // The environment cargo-leptos gives both builds; the same values keep the artifacts
    // shared with `cargo leptos build` and `cargo test`.
    let envs = [
        ("LEPTOS_OUTPUT_NAME", OUTPUT_NAME),
        ("LEPTOS_SITE_ROOT", SITE_ROOT),
        ("LEPTOS_SITE_PKG_DIR", PKG_DIR),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:3000"),
        ("LEPTOS_RELOAD_PORT", "3001"),
        ("LEPTOS_LIB_DIR", "frontend"),
        ("LEPTOS_BIN_DIR", "server"),
        ("LEPTOS_JS_MINIFY", "false"),
        ("LEPTOS_HASH_FILES", "true"),
        ("LEPTOS_HASH_FILE_NAME", "hash.txt"),
    ];
    cargo(
        &[
            "build",
            "--package=frontend",
            "--lib",
            &format!("--target-dir={FRONT_TARGET}"),
            "--target=wasm32-unknown-unknown",
        ],
        &envs,
        // .cargo/config.toml's flags, which RUSTFLAGS would otherwise replace, and the
        // relocations splitting needs.
        Some("--cfg erase_components -Clink-args=--emit-relocs"),
    )?;
    cargo(
        &[
            "build",
            "--package=server",
            "--bin=server",
            "--no-default-features",
        ],
        &envs,
        None,
    )?;

    let pkg = Path::new(SITE_ROOT).join(PKG_DIR);
    if Path::new(SITE_ROOT).exists() {
        fs::remove_dir_all(SITE_ROOT).context("emptying the site")?;
    }
    fs::create_dir_all(&pkg)?;
    let wasm_dir = Path::new(FRONT_TARGET).join("wasm32-unknown-unknown/debug");
    let input = fs::read(wasm_dir.join("frontend.wasm")).context("reading frontend.wasm")?;
    let main_split = wasm_dir.join("frontend_split.wasm");
    let main_module = format!("./{OUTPUT_NAME}.js");
    let link_name = format!("./__wasm_split.{PLACEHOLDER}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &pkg;
        opts.main_out_path = &main_split;
        opts.main_module = &main_module;
        opts.link_name = &link_name;
        opts
    })
    .map_err(|e| anyhow::anyhow!("splitting the WebAssembly: {e}"))?;
    fs::write(
        pkg.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&split.prefetch_map)?,
    )?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_split)
        .out_name(OUTPUT_NAME)
        .web(true)?
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false)
        // As the CLI does: the JavaScript can find its WebAssembly without being told.
        .omit_default_module_path(false)
        .generate(&pkg)
        .context("wasm-bindgen")?;
    fs::rename(
        pkg.join(format!("{OUTPUT_NAME}_bg.wasm")),
        pkg.join(format!("{OUTPUT_NAME}.wasm")),
    )?;
    fs::copy(STYLE_FILE, pkg.join(format!("{OUTPUT_NAME}.css")))?;

    add_hashes(&pkg)?;
    println!(
        "build-site: {} split modules, site in {SITE_ROOT} ({:.1} s)",
        split.split_modules.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn cargo(args: &[&str], envs: &[(&str, &str)], rustflags: Option<&str>) -> Result<()> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // What `cargo run` set for this tool (CARGO_PKG_NAME and the like) must not reach the
    // builds: build scripts that watch those variables (ring's does) would run again, and
    // everything above them (rustls, lettre, app, server) be compiled again, 1 min 44 s.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name.as_ref(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    command.args(args).envs(envs.iter().copied());
    match rustflags {
        Some(flags) => command.env("RUSTFLAGS", flags),
        None => command.env_remove("RUSTFLAGS"),
    };
    let status = command.status().context("running cargo")?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

/// The values above must be the ones cargo-leptos reads for `scripts/release`.
fn check_metadata() -> Result<()> {
    let manifest = fs::read_to_string("Cargo.toml")?;
    for line in [
        format!("output-name = \"{OUTPUT_NAME}\""),
        format!("site-root = \"{SITE_ROOT}\""),
        format!("site-pkg-dir = \"{PKG_DIR}\""),
        format!("style-file = \"{STYLE_FILE}\""),
        "lib-package = \"frontend\"".into(),
        "bin-package = \"server\"".into(),
        "hash-files = true".into(),
        "disable-erase-components = true".into(),
    ] {
        if !manifest.lines().any(|l| l.trim() == line) {
            bail!("Cargo.toml's [workspace.metadata.leptos] no longer says {line}: update build-site to match");
        }
    }
    Ok(())
}

fn hash_of(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(&Md5::new().chain_update(bytes).finalize())
}

/// Names every file in `pkg` after its content's hash, rewrites the references to them
/// (the main JavaScript, the split loader, the manifest and the WebAssembly that imports
/// the loader), and writes the hash file the server reads. cargo-leptos's rules.
fn add_hashes(pkg: &Path) -> Result<()> {
    let mut hashes: HashMap<PathBuf, String> = HashMap::new();
    for entry in fs::read_dir(pkg)? {
        let path = entry?.path();
        if path.is_file() {
            hashes.insert(path.clone(), hash_of(&fs::read(&path)?));
        }
    }
    let mut renamed: HashMap<PathBuf, PathBuf> = HashMap::new();
    for (path, hash) in &hashes {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("a file name")?;
        let new_name = if name.contains(PLACEHOLDER) {
            name.replace(PLACEHOLDER, hash)
        } else {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .context("a stem")?;
            let ext = path
                .extension()
                .and_then(|s| s.to_str())
                .context("an extension")?;
            format!("{stem}.{hash}.{ext}")
        };
        let new_path = path.with_file_name(new_name);
        fs::rename(path, &new_path)?;
        renamed.insert(path.clone(), new_path);
    }
    let file = |name: String| pkg.join(name);
    let main_js = file(format!("{OUTPUT_NAME}.js"));
    replace_names(&renamed[&main_js], &renamed, pkg)?;

    let loader = file(format!("__wasm_split.{PLACEHOLDER}.js"));
    let hashed_loader = renamed[&loader].clone();
    replace_names(&hashed_loader, &renamed, pkg)?;
    let loader_name = name_of(&loader)?;
    let hashed_loader_name = name_of(&hashed_loader)?;
    replace_loader_references(pkg, &loader_name, &hashed_loader_name, &renamed)?;
    // The loader changed when its references were rewritten: named again after its content.
    let split_hash = hash_of(&fs::read(&hashed_loader)?);
    if split_hash != hashes[&loader] {
        let rehashed = hashed_loader.with_file_name(format!("__wasm_split.{split_hash}.js"));
        fs::rename(&hashed_loader, &rehashed)?;
        let again = HashMap::from([(hashed_loader.clone(), rehashed.clone())]);
        replace_loader_references(pkg, &hashed_loader_name, &name_of(&rehashed)?, &again)?;
        replace_names(&renamed[&main_js], &again, pkg)?;
    }

    let manifest = hashes
        .iter()
        .find_map(|(f, h)| f.ends_with("__wasm_split_manifest.json").then_some(h))
        .context("the split manifest")?;
    let css = &hashes[&file(format!("{OUTPUT_NAME}.css"))];
    fs::create_dir_all(Path::new(HASH_FILE).parent().context("a directory")?)?;
    fs::write(
        HASH_FILE,
        format!(
            "js: {}\nwasm: {}\ncss: {css}\nmanifest: {manifest}\nsplit: {split_hash}\n",
            hashes[&main_js],
            hashes[&file(format!("{OUTPUT_NAME}.wasm"))],
        ),
    )?;
    Ok(())
}

fn name_of(path: &Path) -> Result<String> {
    Ok(path
        .file_name()
        .and_then(|n| n.to_str())
        .context("a file name")?
        .to_string())
}

/// In a text file, every renamed file's old name (relative to `pkg`) becomes its new one.
fn replace_names(path: &Path, renamed: &HashMap<PathBuf, PathBuf>, pkg: &Path) -> Result<()> {
    let mut text = fs::read_to_string(path)?;
    for (old, new) in renamed {
        let old = old.strip_prefix(pkg)?.to_string_lossy();
        let new = new.strip_prefix(pkg)?.to_string_lossy();
        text = text.replace(old.as_ref(), new.as_ref());
    }
    fs::write(path, text)?;
    Ok(())
}

/// Every WebAssembly file imports the loader by name (same length before and after, so the
/// bytes are patched in place), and the manifest names the split modules.
fn replace_loader_references(
    pkg: &Path,
    old_name: &str,
    new_name: &str,
    renamed: &HashMap<PathBuf, PathBuf>,
) -> Result<()> {
    if old_name.len() != new_name.len() {
        bail!("the loader's hashed name is not the placeholder's length");
    }
    for entry in fs::read_dir(pkg)? {
        let path = entry?.path();
        let name = name_of(&path)?;
        if name.ends_with(".wasm") {
            let mut bytes = fs::read(&path)?;
            let (old, new) = (old_name.as_bytes(), new_name.as_bytes());
            let mut i = 0;
            while i + old.len() <= bytes.len() {
                if &bytes[i..i + old.len()] == old {
                    bytes[i..i + old.len()].copy_from_slice(new);
                    i += old.len();
                } else {
                    i += 1;
                }
            }
            fs::write(&path, bytes)?;
        } else if name.starts_with("__wasm_split_manifest") {
            let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&path)?)?;
            let stems: HashMap<String, String> = renamed
                .iter()
                .filter_map(|(old, new)| {
                    let old = old
                        .strip_prefix(pkg)
                        .ok()?
                        .to_str()?
                        .strip_suffix(".wasm")?;
                    let new = new
                        .strip_prefix(pkg)
                        .ok()?
                        .to_str()?
                        .strip_suffix(".wasm")?;
                    Some((old.to_string(), new.to_string()))
                })
                .collect();
            rename_in(&mut manifest, &stems);
            fs::write(&path, serde_json::to_string(&manifest)?)?;
        }
    }
    Ok(())
}

fn rename_in(value: &mut serde_json::Value, stems: &HashMap<String, String>) {
    match value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rename_in(v, stems)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| rename_in(v, stems)),
        serde_json::Value::String(s) => {
            if let Some(new) = stems.get(s.as_str()) {
                *s = new.clone();
            }
        }
        _ => {}
    }
}

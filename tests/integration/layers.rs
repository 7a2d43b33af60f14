//! The architecture holds: every module of `src/` imports only modules below it in the
//! layer order that `src/lib.rs` documents, so data flows one way and no import cycle
//! can form between modules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers as `src/lib.rs` lists them, bottom first: lines ``//! N. `module` — …``.
fn layer_order(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("//! ")?.trim_start();
            let (number, rest) = rest.split_once(". `")?;
            number.parse::<u32>().ok()?;
            Some(rest.split_once('`')?.0.to_owned())
        })
        .collect()
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The crate's modules this source names through `crate::…`, in code (line comments
/// left out): `use crate::a::…`, `use crate::{a, b::{…}}` over several lines, and paths
/// such as `crate::a::f()`.
fn modules_named(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => named.extend(top_level_items(group).iter().filter_map(|item| first_segment(item))),
            None => named.extend(first_segment(rest)),
        }
    }
    named
}

/// The items of a `{…}` group up to its closing brace, split at its own commas only.
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

#[test]
fn modules_import_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let order = layer_order(&lib);
    assert!(
        order.len() >= 10,
        "src/lib.rs lists the layers as `//! N. `module``: {order:?}"
    );
    let rank: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();

    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let binary = ["main.rs", "cli.rs", "options.rs", "lib.rs"];
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative.components().count() == 1 && binary.contains(&relative.to_str().unwrap()) {
            continue;
        }
        let own = relative.components().next().unwrap().as_os_str().to_str().unwrap();
        let own = own.trim_end_matches(".rs");
        let own_rank = *rank
            .get(own)
            .unwrap_or_else(|| panic!("src/{} is in no layer of src/lib.rs's list", relative.display()));
        let source = std::fs::read_to_string(file).unwrap();
        for module in modules_named(&source) {
            if module == own {
                continue;
            }
            match rank.get(module.as_str()) {
                Some(&r) if r < own_rank => {}
                Some(_) => upward.push(format!(
                    "src/{} imports {module}, a layer above {own}",
                    relative.display()
                )),
                None => upward.push(format!(
                    "src/{} names crate::{module}, which is in no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
}

#[test]
fn the_layer_list_names_every_module_once() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let order = layer_order(&lib);
    let mut declared: Vec<String> = lib
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            // `mod x;` lines only: an inline `mod testing { … }` re-exports, it is no layer.
            Some(l.strip_prefix("mod ")?.strip_suffix(';')?.to_owned())
        })
        .collect();
    declared.sort();
    let mut listed = order.clone();
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), order.len(), "a module is listed twice: {order:?}");
    assert_eq!(listed, declared, "src/lib.rs's layer list and its `mod` lines differ");
}

#[test]
fn the_scan_finds_grouped_and_inline_paths() {
    let found = modules_named(
        "use crate::{\n    error::{Error, Result},\n    vocab,\n};\nlet x = crate::query::run(); // crate::link\n",
    );
    assert_eq!(found, ["error", "vocab", "query"], "comments are not imports");
}

//! The layout has no import cycles between the top-level modules of src/: dependencies point one
//! way (lib.rs says which), so each part can be read, tested and changed from the inside out.
//!
//! The test reads the sources: every `crate::name` a module's code uses (tests excluded: the
//! part of a file after its `#[cfg(test)]`, and `tests.rs`/`*_tests.rs` files) is an edge from
//! that module to `name`; a strongly connected set of more than one module is a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/chat/handlers/x.rs` → `chat`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules `code` names through `crate::`, also inside `crate::{a, b::c}`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            // the first path segment of each top-level item in the group
            let mut depth = 0;
            let mut item_start = true;
            let mut word = String::new();
            for c in group[..end].chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !word.is_empty() {
                            out.insert(std::mem::take(&mut word));
                        }
                        item_start = true;
                    }
                    c if item_start && (c.is_alphanumeric() || c == '_') => word.push(c),
                    _ => {
                        if item_start && !word.is_empty() {
                            out.insert(std::mem::take(&mut word));
                            item_start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                out.insert(word);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The code of a file that the library is built from: comments and tests left out.
fn library_code(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") || name == "main.rs" || name == "lib.rs" {
            continue;
        }
        let module = module_of(&src, &file);
        let code = library_code(&std::fs::read_to_string(&file).unwrap());
        let entry = edges.entry(module.clone()).or_default();
        entry.extend(uses(&code).into_iter().filter(|m| *m != module));
    }
    edges
}

/// Sets of modules that reach each other (Tarjan's algorithm), those of more than one module.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !edges.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.found.push(set);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_reader_finds_paths_and_groups() {
    let code = "use crate::{chat::{Bot, Reply}, domain, storage::Store};\nlet x = crate::jobs::run();";
    assert_eq!(uses(code), ["chat", "domain", "jobs", "storage"].map(String::from).into());
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string(), "d".to_string()]));
    edges.insert("d".to_string(), BTreeSet::new());
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let edges = graph();
    let found = cycles(&edges);
    let show = |set: &Vec<String>| {
        set.iter()
            .map(|m| {
                let inside: Vec<&str> = edges[m].iter().filter(|w| set.contains(w)).map(String::as_str).collect();
                format!("{m} → {}", inside.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    assert!(found.is_empty(), "import cycles: {}", found.iter().map(show).collect::<Vec<_>>().join(" | "));
}

/// The README's "Layout" section: the lines of its first code block.
fn readme_layout() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("\n## Layout\n").nth(1).expect("the README has a Layout section");
    section.split("```").nth(1).expect("its tree, in a code block").to_string()
}

#[test]
fn the_readmes_layout_names_every_folder_and_top_level_file_of_src_and_nothing_that_is_gone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layout = readme_layout();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut missing = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap();
        let dir = rel.parent().unwrap().to_string_lossy().into_owned();
        if dir != "src" && !layout.contains(&format!("{dir}/")) {
            missing.push(format!("{dir}/"));
        }
        if dir == "src" {
            let name = rel.file_name().unwrap().to_string_lossy().into_owned();
            if !layout.contains(&name) {
                missing.push(rel.display().to_string());
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "the README's layout does not name: {}", missing.join(", "));
    // and every path it starts a line with is there
    for line in layout.lines() {
        let path = line.split_whitespace().next().unwrap_or("").trim_end_matches(',');
        if path.starts_with("src/") {
            assert!(root.join(path).exists(), "the README's layout names {path}, which is not in the tree");
        }
    }
}

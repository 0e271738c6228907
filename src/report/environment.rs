//! The environment section: CPU, features, masks, build; libraries and code paths.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::Section;
use super::input::{Machine, ReportInput};
use super::tables::Table;

const NOT_RECORDED: &str = "not recorded";

/// A string or number at `pointer` in the environment, as text.
fn field(env: &Value, pointer: &str) -> String {
    match env.pointer(pointer) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => NOT_RECORDED.to_string(),
    }
}

/// CPU feature names with `present == want`.
fn features(env: &Value, want: bool) -> String {
    let Some(list) = env.pointer("/cpu/features").and_then(Value::as_array) else {
        return NOT_RECORDED.to_string();
    };
    let names: Vec<&str> = list
        .iter()
        .filter(|f| f.get("present").and_then(Value::as_bool) == Some(want))
        .filter_map(|f| f.get("name").and_then(Value::as_str))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Masks in effect: every `true` flag of the masks object, or `none`.
fn masks(env: &Value) -> String {
    let Some(obj) = env.get("masks").and_then(Value::as_object) else {
        return NOT_RECORDED.to_string();
    };
    let on: Vec<String> = obj
        .iter()
        .filter_map(|(k, v)| match v {
            Value::Bool(true) => Some(k.clone()),
            Value::String(s) if !s.is_empty() => Some(format!("{k}={s}")),
            _ => None,
        })
        .collect();
    if on.is_empty() {
        "none".to_string()
    } else {
        on.join(", ")
    }
}

fn machine_table(input: &ReportInput) -> Table {
    let mut header = vec!["".to_string()];
    header.extend(input.machines.iter().map(|m| m.label.clone()));
    let mut t = Table::with_header("Machines", header);
    type Getter = fn(&Machine) -> String;
    let rows: &[(&str, Getter)] = &[
        ("Host", |m| field(&m.run.environment, "/host")),
        ("CPU", |m| field(&m.run.environment, "/cpu/model")),
        ("Vendor", |m| field(&m.run.environment, "/cpu/vendor")),
        ("Architecture", |m| field(&m.run.environment, "/cpu/arch")),
        ("Logical CPUs", |m| {
            field(&m.run.environment, "/cpu/logical_cpus")
        }),
        ("OS", |m| field(&m.run.environment, "/cpu/os")),
        ("Crypto features present", |m| {
            features(&m.run.environment, true)
        }),
        ("Crypto features absent", |m| {
            features(&m.run.environment, false)
        }),
        ("Feature masks", |m| masks(&m.run.environment)),
        ("Build", |m| field(&m.run.environment, "/build")),
        ("Git revision", |m| {
            field(&m.run.environment, "/git_revision")
        }),
        ("sealbench", |m| {
            field(&m.run.environment, "/sealbench_version")
        }),
        ("Captured", |m| field(&m.run.environment, "/timestamp")),
        ("Profile / clock", |m| {
            format!("{} / {}", m.run.profile, m.run.clock)
        }),
        ("Scenarios", |m| m.run.scenarios.len().to_string()),
        ("Results file", |m| m.source.display().to_string()),
    ];
    for (name, get) in rows {
        let mut row = vec![name.to_string()];
        row.extend(input.machines.iter().map(get));
        t.push(row);
    }
    t
}

/// `name version` of every library of one backend entry.
fn versions(backend: &Value) -> String {
    let list = backend.get("versions").and_then(Value::as_array);
    let parts: Vec<String> = list
        .into_iter()
        .flatten()
        .map(|v| format!("{} {}", field(v, "/name"), field(v, "/version")))
        .collect();
    if parts.is_empty() {
        NOT_RECORDED.to_string()
    } else {
        parts.join(", ")
    }
}

/// `aead: path (evidence)` of one backend entry.
fn declared_paths(backend: &Value) -> String {
    let list = backend.get("aead_paths").and_then(Value::as_array);
    let parts: Vec<String> = list
        .into_iter()
        .flatten()
        .map(|p| {
            let aead = field(p, "/aead");
            let aead = crate::backend::AeadId::ALL
                .iter()
                .find(|a| format!("{a:?}") == aead)
                .map_or(aead.clone(), |a| a.label().to_string());
            format!("{aead}: {} ({})", field(p, "/path"), field(p, "/evidence"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join("; ")
    }
}

fn library_table(input: &ReportInput) -> Table {
    let multi = input.machines.len() > 1;
    let mut header = vec![
        "Backend",
        "Libraries",
        "AEAD paths (declared)",
        "Paths measured (raw)",
    ];
    if multi {
        header.insert(0, "Machine");
    }
    let mut t = Table::new("Libraries and code paths", &header);
    for m in &input.machines {
        // Paths seen in the measurements, per backend (masked backends appear only here).
        let mut measured: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for s in m.run.scenarios.iter().filter(|s| s.layer == "raw") {
            let entry = measured.entry(s.backend.as_str()).or_default();
            if let Some(p) = &s.impl_path {
                entry.insert(format!("{}: {p}", s.algorithm));
            }
        }
        let declared = m
            .run
            .environment
            .get("backends")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut names: Vec<String> = declared.iter().map(|b| field(b, "/name")).collect();
        names.extend(
            measured
                .keys()
                .filter(|k| !names.iter().any(|n| n == *k))
                .map(|k| k.to_string())
                .collect::<Vec<_>>(),
        );
        for name in names {
            let entry = declared.iter().find(|b| field(b, "/name") == name);
            let paths = measured
                .get(name.as_str())
                .filter(|p| !p.is_empty())
                .map_or("none".to_string(), |p| {
                    p.iter().cloned().collect::<Vec<_>>().join("; ")
                });
            let mut row = vec![
                name.clone(),
                entry.map_or(NOT_RECORDED.to_string(), versions),
                entry.map_or(NOT_RECORDED.to_string(), declared_paths),
                paths,
            ];
            if multi {
                row.insert(0, m.label.clone());
            }
            t.push(row);
        }
    }
    t
}

/// The environment section.
pub fn section(input: &ReportInput) -> Section {
    let mut s = Section::new("environment", "Environment");
    if input.machines.is_empty() {
        s.not_measured("No runs in the results files: environment not measured.");
        return s;
    }
    s.blocks.push(super::Block::Table(machine_table(input)));
    s.blocks.push(super::Block::Table(library_table(input)));
    s
}

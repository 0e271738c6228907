//! The cheapest mix: a search over every class's (mode, key scope) for the combination with
//! the least CPU that meets every class's requirements (by executed attacks) and the whole
//! budget (total and per-node CPU, latency, secrets per node). Not a hand-written rule:
//! depth-first over the classes, each class's admissible schemes cheapest first, pruned
//! when the CPU so far plus the cheapest rest cannot beat the best found.

use super::attacks::ClassVerdict;
use super::evaluate::{PricedClass, assemble};
use super::profile::Profile;
use super::strategy::{Scheme, Strategy, encrypts};

/// Most complete mixes checked before the search stops with the best so far.
pub const MAX_LEAVES: usize = 200_000;

/// What the search found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The mix, if any meets the requirements and fits.
    pub strategy: Option<Strategy>,
    /// Whether the search stopped at [`MAX_LEAVES`] (the mix may then not be the cheapest).
    pub capped: bool,
}

struct Search<'a> {
    profile: &'a Profile,
    backend: &'a str,
    /// Per class: admissible (scheme index, priced), cheapest first.
    options: Vec<Vec<(usize, &'a PricedClass)>>,
    /// Per class: the cheapest admissible cores from this class on.
    rest: Vec<f64>,
    best: Option<(f64, Vec<usize>)>,
    leaves: usize,
    name: &'static str,
}

impl Search<'_> {
    fn go(&mut self, i: usize, cores: f64, picked: &mut Vec<usize>) {
        if self.leaves >= MAX_LEAVES {
            return;
        }
        let floor = cores + self.rest.get(i).copied().unwrap_or(0.0);
        if self.best.as_ref().is_some_and(|(b, _)| floor >= *b) {
            return;
        }
        let Some(opts) = self.options.get(i) else {
            self.leaves += 1;
            let priced: Vec<Result<&PricedClass, String>> = picked
                .iter()
                .zip(&self.options)
                .filter_map(|(&j, o)| o.get(j).map(|x| Ok(x.1)))
                .collect();
            let strategy = self.strategy(picked);
            let row = assemble(self.profile, self.backend, &strategy, &priced, Vec::new());
            if row.costs.as_ref().is_some_and(|c| c.fits_budget) {
                self.best = Some((cores, picked.clone()));
            }
            return;
        };
        let costs: Vec<f64> = opts.iter().map(|o| o.1.cost.cores).collect();
        for (j, c) in costs.into_iter().enumerate() {
            picked.push(j);
            self.go(i + 1, cores + c, picked);
            picked.pop();
        }
    }

    fn strategy(&self, picked: &[usize]) -> Strategy {
        Strategy {
            name: self.name.to_string(),
            searched: true,
            tls: false,
            schemes: picked
                .iter()
                .zip(&self.options)
                .filter_map(|(&j, o)| o.get(j))
                .filter_map(|&(s, _)| Scheme::ALL.get(s).copied())
                .collect(),
        }
    }
}

/// Searches the cheapest mix on `backend`. `priced[class][scheme]` and
/// `verdicts[class][scheme]` are in [`Scheme::ALL`] order; with `encrypted_only`, only
/// schemes that encrypt are considered.
pub fn cheapest_mix(
    profile: &Profile,
    backend: &str,
    priced: &[Vec<Result<PricedClass, String>>],
    verdicts: &[Vec<ClassVerdict>],
    encrypted_only: bool,
    name: &'static str,
) -> Found {
    let mut options: Vec<Vec<(usize, &PricedClass)>> = Vec::new();
    for (p, v) in priced.iter().zip(verdicts) {
        let mut o: Vec<(usize, &PricedClass)> = p
            .iter()
            .zip(v)
            .enumerate()
            .filter_map(|(j, (p, v))| Some((j, p.as_ref().ok()?, v)))
            .filter(|(_, p, v)| {
                v.meets()
                    && (!encrypted_only || encrypts(v.scheme.mode))
                    && p.cost.latency_p50_us <= p.cost.latency_budget_us
                    && p.cost.latency_p99_us <= p.cost.latency_budget_us
            })
            .map(|(j, p, _)| (j, p))
            .collect();
        o.sort_by(|a, b| a.1.cost.cores.total_cmp(&b.1.cost.cores));
        options.push(o);
    }
    let mut rest = vec![0.0; options.len() + 1];
    for i in (0..options.len()).rev() {
        let min = options
            .get(i)
            .and_then(|o| o.first())
            .map_or(f64::INFINITY, |o| o.1.cost.cores);
        let next = rest.get(i + 1).copied().unwrap_or(0.0);
        if let Some(r) = rest.get_mut(i) {
            *r = min + next;
        }
    }
    let mut search = Search {
        profile,
        backend,
        options,
        rest,
        best: None,
        leaves: 0,
        name,
    };
    if search.options.iter().all(|o| !o.is_empty()) {
        search.go(0, 0.0, &mut Vec::new());
    }
    // Scheme indices, not option indices, name the schemes.
    let strategy = search
        .best
        .as_ref()
        .map(|(_, picked)| search.strategy(picked));
    Found {
        strategy,
        capped: search.leaves >= MAX_LEAVES,
    }
}

//! The checks after authentication: freshness, direction, audience, policy, replay.
//! Only messages that authenticated reach them, so forgeries never touch the replay state,
//! and unauthenticated senders (plain, anonymous) have their own replay namespace.

use super::Opener;
use crate::envelope::error::EnvelopeError;
use crate::envelope::header::Protected;
use crate::envelope::keys::ANONYMOUS_ROLE;
use crate::envelope::replay::{ReplaySender, split_cti};

/// Who a message's replay state and policy belong to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who {
    /// An authenticated key (trust-store or learned entry).
    Key(usize),
    /// A plain message from a legacy entry: its kid is not authenticated.
    Plain(usize),
    /// Hybrid encryption without a signature.
    Anonymous,
}

impl Opener {
    /// Freshness, audience, direction, policy and replay, after authentication.
    pub(super) fn admit(&mut self, p: &Protected<'_>, who: Who) -> Result<[u8; 12], EnvelopeError> {
        let now = self.fresh(p.iat)?;
        // Direction before audience: a reflected message is reported as what it is.
        let entry = match who {
            Who::Key(i) | Who::Plain(i) => Some(self.keys.get(i)?),
            Who::Anonymous => None,
        };
        // `iss` decides when present. Without it, a signature under one of our own private
        // keys can only be our own message coming back. (With it, such a signature comes
        // from another holder of a shared key pair — MCollective's shared-key mode — whose
        // weakness the deployment chose; refusing it would break that deployment's own
        // traffic without stopping the holder, who can name any other issuer.)
        let reflected = match p.iss {
            Some(iss) => self.own.is_self(iss),
            None => matches!(who, Who::Key(_)) && entry.is_some_and(|e| e.own),
        };
        if reflected {
            return Err(EnvelopeError::Reflected);
        }
        match p.aud {
            Some(aud) if self.own.addressed_by(aud)? => {}
            None if self.options.accept_no_audience => {}
            _ => return Err(EnvelopeError::WrongAudience),
        }
        let allowed = entry
            .map_or(&self.keys.anonymous, |e| &e.methods)
            .allows(p.method);
        if !allowed {
            return Err(EnvelopeError::Forbidden {
                role: entry
                    .map_or(ANONYMOUS_ROLE, |e| e.role.as_str())
                    .to_string(),
                method: p.method.to_string(),
            });
        }
        self.record(p.iat, p.cti, now, who)
    }

    /// The freshness check: `now - window_s <= iat <= now + future_skew_s`; returns `now`.
    #[inline]
    pub(super) fn fresh(&self, iat: u64) -> Result<u64, EnvelopeError> {
        let now = self.clock.now_s();
        let window_s = self.options.window_s;
        if iat.saturating_add(window_s) < now {
            return Err(EnvelopeError::Expired {
                age_s: now - iat,
                window_s,
            });
        }
        let skew = self.options.future_skew_s;
        if iat > now.saturating_add(skew) {
            return Err(EnvelopeError::FromFuture {
                ahead_s: iat - now,
                window_s: skew,
            });
        }
        Ok(now)
    }

    /// The replay check of a fresh message from `who`, which records it; returns its `cti`.
    #[inline]
    pub(super) fn record(
        &mut self,
        iat: u64,
        cti: &[u8],
        now: u64,
        who: Who,
    ) -> Result<[u8; 12], EnvelopeError> {
        let (prefix, counter) = split_cti(cti)?;
        let entry = match who {
            Who::Key(i) | Who::Plain(i) => Some(self.keys.get(i)?),
            Who::Anonymous => None,
        };
        let sender = match (who, entry) {
            (Who::Key(_), Some(e)) if e.learned => ReplaySender::Learned(&e.kid),
            (Who::Key(_), Some(e)) => ReplaySender::Key(&e.kid),
            (Who::Plain(_), Some(e)) => ReplaySender::Plain(&e.kid),
            _ => ReplaySender::Anonymous,
        };
        self.replay
            .check_and_record(sender, prefix, counter, iat, now, self.options.window_s)?;
        if let Who::Key(i) = who {
            self.keys.touch(i);
        }
        let mut out = [0u8; 12];
        out.copy_from_slice(cti);
        Ok(out)
    }
}

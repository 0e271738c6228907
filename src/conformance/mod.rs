//! Conformance: public known-answer suites run against every backend.

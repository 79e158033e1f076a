//! Helpers shared by the whole-pipeline tests.

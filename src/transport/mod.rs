//! How clients reach the handler. The only code that talks to clients.

pub mod stdio;

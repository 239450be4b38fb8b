//! How clients reach the handler: stdio for one editor, HTTP for a team
//! server. The only code that opens sockets or reads stdin.

pub mod http;
pub mod stdio;

//! Who is who, without HTTP: device credentials and the caller they name ([`devices`]),
//! enrolment and the office's administration of persons and devices ([`enrolment`]),
//! dashboard accounts ([`users`]) and their sessions and sign-in limit ([`sessions`]), and
//! the audit log of all of it ([`audit`]).

pub mod audit;
pub mod devices;
pub mod enrolment;
pub mod sessions;
pub mod users;

package notify

// ProblemOpened tells a problem's owner team that a fingerprint keeps coming back and a
// problem was opened for it (package problem); the notice's Message says which.
const ProblemOpened Kind = "problem-opened"

// Package browsertest drives the merchant console in headless Chromium
// against a real discoveryd: its tests sign in, fill the forms, import a
// file, play a simulated agent day and compare the charts with the API,
// and save screenshots of every page at a desktop and a phone size.
//
// Without Chromium the tests skip, saying how to install it; with CI=true
// they fail instead, so that CI never passes without running them.
package browsertest

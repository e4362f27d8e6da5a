module github.com/nearby-dev/nearby/examples/walkthrough

go 1.26.0

require github.com/nearby-dev/nearby v0.0.0-00010101000000-000000000000

replace github.com/nearby-dev/nearby => ../..

package web_test

import "github.com/dreamerscave/tdc/app/accounts"

func accountsFilter(email string) accounts.UserFilter { return accounts.UserFilter{Q: email} }

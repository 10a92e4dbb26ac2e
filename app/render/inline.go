package render

import (
	"html/template"
	"strconv"
	"text/template/parse"

	"github.com/dreamerscave/tdc/app/i18n"
)

// fixed are the template functions whose result is fixed for a set: they
// take one string constant (or nothing, for lang), and a set is parsed for
// one language in one process.
type fixed map[string]func(arg string) string

// fixedFuncs are t (a message without arguments), asset (a fingerprinted
// path) and lang, bound to lang.
func fixedFuncs(b *i18n.Bundle, lang string, asset func(string) string) fixed {
	return fixed{
		"t":     func(id string) string { return b.T(lang, id, nil) },
		"asset": asset,
		"lang":  func(string) string { return lang },
	}
}

// inlineStrings turns each call of a fixed function with a string constant
// ({{t "nav.events"}}, {{asset "css/site.css"}}, {{lang}}) into the
// constant it gives. A constant costs html/template no function call (a
// reflective call, and a slice for t's variadic arguments) on each render,
// and a page prints some forty of them. It runs before the set is first
// executed, so html/template escapes each constant by its context exactly as
// it escaped the call's result.
func inlineStrings(set *template.Template, fns fixed) {
	for _, t := range set.Templates() {
		if t.Tree != nil {
			inlineList(t.Tree.Root, fns)
		}
	}
}

func inlineList(l *parse.ListNode, tr fixed) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			inlinePipe(n.Pipe, tr)
		case *parse.IfNode:
			inlineBranch(&n.BranchNode, tr)
		case *parse.RangeNode:
			inlineBranch(&n.BranchNode, tr)
		case *parse.WithNode:
			inlineBranch(&n.BranchNode, tr)
		case *parse.TemplateNode:
			inlinePipe(n.Pipe, tr)
		}
	}
}

func inlineBranch(b *parse.BranchNode, tr fixed) {
	inlinePipe(b.Pipe, tr)
	inlineList(b.List, tr)
	inlineList(b.ElseList, tr)
}

// inlinePipe replaces a pipeline's first command when it calls a fixed
// function: a later command receives the previous result as its last
// argument, which a constant cannot take. Parenthesised pipelines among the
// arguments are looked at too.
func inlinePipe(p *parse.PipeNode, fns fixed) {
	if p == nil {
		return
	}
	for i, c := range p.Cmds {
		if i == 0 {
			if s := constantOf(c, fns); s != nil {
				c.Args = []parse.Node{s}
				continue
			}
		}
		for _, a := range c.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				inlinePipe(sub, fns)
			}
		}
	}
}

// constantOf returns the constant that command c gives, or nil when c is
// not a fixed function's call with one string constant (or none).
func constantOf(c *parse.CommandNode, fns fixed) *parse.StringNode {
	if len(c.Args) == 0 || len(c.Args) > 2 {
		return nil
	}
	id, ok := c.Args[0].(*parse.IdentifierNode)
	if !ok || fns[id.Ident] == nil {
		return nil
	}
	fn := fns[id.Ident]
	var arg *parse.StringNode
	if len(c.Args) == 2 {
		if arg, ok = c.Args[1].(*parse.StringNode); !ok {
			return nil
		}
	}
	s := &parse.StringNode{NodeType: parse.NodeString, Pos: id.Pos}
	if arg != nil {
		s.Text = arg.Text
	}
	s.Text = fn(s.Text)
	s.Quoted = strconv.Quote(s.Text)
	return s
}

import Testing
@testable import Evaluation

/// Wiki markup stripping on small hand-written snippets, one rule at a time.
@Suite struct CorpusWikiMarkupTests {
    private func plain(_ wikitext: String) -> String { WikiMarkup.plainText(Array(wikitext.utf8)) }

    @Test func templatesAreRemovedNestedOnes() {
        #expect(plain("A {{cite|x={{nested|{{deeper}}}}|y}}B") == "A B")
        #expect(plain("{{Infobox\n| name = X\n| born = {{birth date|1900|1|1}}\n}}\nText.") == "Text.")
        #expect(plain("before {{unclosed and after") == "before unclosed and after")
        #expect(plain("stray }} stays") == "stray }} stays")
    }

    @Test func internalLinks() {
        #expect(plain("a [[political philosophy]] b") == "a political philosophy b")
        #expect(plain("a [[state (polity)|state]] b") == "a state b")
        #expect(plain("[[cat]]s and [[Help:Foo (bar)|]]") == "cats and Foo")
        #expect(plain("see [[:Category:Atlantic hurricanes|hurricanes]]") == "see hurricanes")
        #expect(plain("[[wikt:brigand|brigand]] and [[Star Trek: Voyager]]") == "brigand and Star Trek: Voyager")
    }

    @Test func fileImageCategoryAndInterlanguageLinksAreRemoved() {
        let text = """
            [[File:Pic.jpg|thumb|A caption with [[a link]] and [http://x.org a site]]]Lead.
            [[Image:Other.png|left|200px]]More.
            [[Category:Anarchism| ]]
            [[de:Anarchismus]]
            [[be-x-old:Анархізм]]
            """
        #expect(plain(text) == "Lead.\nMore.")
    }

    @Test func externalLinks() {
        #expect(plain("see [http://example.com/a?b=c the site] now") == "see the site now")
        #expect(plain("see [https://example.com] now") == "see now")
        #expect(plain("bare http://example.com stays") == "bare http://example.com stays")
        #expect(plain("[not a link] stays") == "[not a link] stays")
    }

    @Test func refsAndOtherTags() {
        #expect(plain("Claim.<ref name=\"a\">{{cite web|url=x}} Source</ref> Next.<ref name=\"a\"/> End.")
                == "Claim. Next. End.")
        #expect(plain("x<REF group=n>note</REF>y") == "xy")
        #expect(plain("a <math>x^{2}}</math> b") == "a b")
        #expect(plain("H<sub>2</sub>O and <span style=\"x\">kept</span>") == "H2O and kept")
        #expect(plain("line one<br/>line two") == "line one\nline two")
        #expect(plain("<ref>open\nwith </ref name\"x\"> inside</ref>after") == "after")
        #expect(plain("love <3 and a<b") == "love <3 and a<b")
        #expect(plain("<nowiki>[[not a link]] {{nor a template}}</nowiki>") == "[[not a link]] {{nor a template}}")
    }

    @Test func commentsAreRemoved() {
        #expect(plain("a<!-- hidden [[x]] {{y}} -->b") == "ab")
        #expect(plain("a<!-- multi\nline\n-->b") == "ab")
        #expect(plain("kept<!-- unclosed comment") == "kept")
    }

    @Test func tablesAreRemovedNestedOnes() {
        let text = """
            Before.
            {| class="wikitable"
            |-
            ! Header
            |-
            | cell
            {|
            | inner
            |}
            | more
            |}
            After.
            """
        #expect(plain(text) == "Before.\n\nAfter.")
    }

    @Test func entitiesAreDecodedOnce() {
        // In the dump, XML decoding already ran; what remains are wikitext (HTML) references.
        // `&nbsp;` becomes a plain space; a numeric reference gives the character itself.
        #expect(plain("10&nbsp;km &ndash; 5&#160;m &#x41; &amp;lt; &Psi;") == "10 km – 5\u{00A0}m A &lt; Ψ")
        #expect(plain("unknown &bogus; stays, lone & too") == "unknown &bogus; stays, lone & too")
        let page = Array("<mediawiki><page><title>A &amp; B</title><ns>0</ns><revision><text xml:space=\"preserve\">x &amp;amp; y &lt;ref&gt;r&lt;/ref&gt;</text></revision></page></mediawiki>".utf8)
        let documents = try? WikiCorpus.documents(xml: page, file: "t.xml")
        #expect(documents == ["A & B\n\nx & y"])
    }

    @Test func emphasisHeadingsAndLists() {
        let text = """
            '''Bold''' and ''italic'' and '''''both''''' and it's.
            == History ==
            Text.
            === Early ===
            * item one
            # item two
            : indented
            ----
            __TOC__
            == See also ==
            == References ==
            {{reflist}}
            """
        #expect(plain(text) == "Bold and italic and both and it's.\n\nHistory\n\nText.\n\nEarly\n\nitem one\nitem two\nindented")
    }

    @Test func emptySectionsKeepParentsOfNonEmptySubsections() {
        #expect(plain("== A ==\n=== B ===\ntext") == "A\n\nB\n\ntext")
        #expect(plain("== A ==\n== B ==\ntext") == "B\n\ntext")
    }

    @Test func leftoversOfRemovedTemplatesAreTidied() {
        #expect(plain("'''ASCII''' ({{IPAc-en|ˈ|æ|s|k|i}} {{respell|ASS|kee}}), abbreviated") == "ASCII, abbreviated")
        #expect(plain("Huxley ({{IPA|x}}; 26 July 1894)") == "Huxley (26 July 1894)")
        #expect(plain("* {{cite book|title=x}}.\nText") == "Text")
        #expect(plain("many    spaces\there") == "many spaces here")
        #expect(plain("a\n\n\n\n\nb") == "a\n\nb")
    }

    @Test func pagesAreFilteredAndJoined() throws {
        let xml = """
            <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">
              <page><title>Redirected</title><ns>0</ns><redirect title="X" /><revision><text>#REDIRECT [[X]]</text></revision></page>
              <page><title>Wikipedia:Policy</title><ns>4</ns><revision><text>Policy text</text></revision></page>
              <page><title>Empty</title><ns>0</ns><revision><text xml:space="preserve" /></revision></page>
              <page><title>Only template</title><ns>0</ns><revision><text>{{stub}}</text></revision></page>
              <page><title>Kept</title><ns>0</ns><revision><text xml:space="preserve">Body '''text'''.</text></revision></page>
            </mediawiki>
            """
        #expect(try WikiCorpus.documents(xml: Array(xml.utf8), file: "t.xml") == ["Kept\n\nBody text."])
    }

    @Test func malformedExportsThrow() {
        #expect(throws: CorpusError.self) { try WikiCorpus.documents(xml: Array("<html>no</html>".utf8), file: "t.xml") }
        let truncated = "<mediawiki><page><title>T</title><ns>0</ns><revision><text>cut"
        let error = CorpusFixtures.errorText { _ = try WikiCorpus.documents(xml: Array(truncated.utf8), file: "t.xml") }
        #expect(error.contains("t.xml") && error.contains("</page>"))
        let noNamespace = "<mediawiki><page><title>T</title><revision><text>x</text></revision></page></mediawiki>"
        #expect(CorpusFixtures.errorText { _ = try WikiCorpus.documents(xml: Array(noNamespace.utf8), file: "t.xml") }
                    .contains("<ns>"))
    }
}

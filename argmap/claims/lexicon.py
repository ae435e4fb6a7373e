"""The words and patterns that claim extraction reads: markers of questions, meta talk,
greetings, hedges and evidence, and the shapes of lines (links, list markers, code fences).

>>> bool(HEDGE.search("I think the law passed in 2019."))
True
"""

from __future__ import annotations

import re

KINDS = ("claim", "question", "quote", "meta", "greeting", "link", "code", "signature", "other")

URL = re.compile(r"https?://\S+|www\.\S+", re.I)
CITATION = re.compile(r"\W*\[\d+\]\W*")
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")
FENCE = re.compile(r"^\s*(```|~~~)")
EDIT_PREFIX = re.compile(r"^\W*(?:edit|edited|update|updated|eta|ps|p\.s\.?|tl;?dr|tldr)\s*\d*\s*(?::|-|—)\s*", re.I)
SELF_REFERENCE = re.compile(r"\b(?:this|my|the) (?:comment|post|reply|thread)\b|\bblew up\b", re.I)
EDIT_META = re.compile(
    r"\b(typos?|spelling|formatting|format|grammar|words?|wording|link|links|gold|silver|platinum|"
    r"awards?|kind strangers?|clarity|clarify|added|fixed|removed|deleted|thread|comments?|replies|"
    r"inbox|karma|(down|up)[- ]?vot\w*)\b",
    re.I,
)
VOTES = re.compile(r"\b(?:down|up)[- ]?vot(?:e|es|ed|ing|ers?)\b|\bkarma\b", re.I)
VOTES_HERE = re.compile(r"\b(?:me|my|this|here|these|you|your|i'?m|i am|i'?ve|i got|i get)\b", re.I)
META = re.compile(
    r"\bremindme\b|\bcake ?day\b"
    r"|\b(?:thanks|thank you|ty) (?:for|kind stranger)\b.*\b(?:gold|silver|platinum|awards?)\b"
    r"|\b(?:this|my|your|his|her|their|that|the) (?:comment|post|reply|thread|submission|question)s? "
    r"(?:was|were|is|got|has been|have been|gets|will be) (?:removed|deleted|flagged|locked|edited|reported|buried|downvoted)\b"
    r"|^\W*\[?(?:deleted|removed|flagged|dead)\]?\W*$"
    r"|^\W*(?:reported|flagged|/s)\W*$"
    r"|\bcitation needed\b"
    r"|^\W*(?:sorry for (?:the|my) (?:rant|formatting|english|long post|wall of text)|(?:source|sources|citation needed))\b\W*$",
    re.I,
)
GREETING = re.compile(
    r"^\W*(?:thanks|thank you|thx|ty|cheers|hi|hello|hey|howdy|greetings|good (?:morning|evening|afternoon|luck)|"
    r"welcome|congrats|congratulations|happy \w+ day|lol|lmao|rofl|haha\w*|hah|heh|wow|whoa|this|\+1|same|"
    r"same here|me too|agreed|agree|i agree|i disagree|exactly|precisely|absolutely|definitely|yes|yep|yeah|"
    r"yup|no|nope|nah|indeed|true|so true|ok|okay|sure|fair enough|well said|nicely put|"
    r"(?:great|good|nice|excellent|awesome|interesting|fascinating|fantastic) "
    r"(?:post|article|question|point|comment|read|write-?up|summary|answer|explanation|work|job|idea|find|link)|"
    r"nice|cool|interesting|fascinating|awesome|amazing|brilliant|hope (?:this|that) helps|"
    r"came here to say (?:this|that)|you'?re welcome|no problem|np|bump|this is the way|ditto|"
    r"i (?:completely |totally |fully |absolutely |strongly |wholeheartedly |so much |100% )?agree(?: with (?:you|this|that|op))?|"
    r"i second (?:this|that)|i feel you|hang in there|(?:i'?m |i am |im )?(?:right )?(?:there with you|in the same boat)|"
    r"(?:i'?m |i am |im )?(?:so |very |really |truly )*sorry(?: to hear(?: that| this)?)?)\b[\W]*$"
    r"|^\W*(?:thanks|thank you|thx)\b(?! to\b)"
    r"|^\W*(?:hi|hello|hey|dear) (?:all|everyone|folks|guys|there|hn|reddit)\b"
    r"|^\W*(?:just )?my (?:2|two) cents\b|^\W*well done\b|\bi (?:still )?(?:love|missed|miss) (?:you|this|reddit|hn)\b"
    r"|^\W*(?:this|that|your) (?:comment|post|reply|thread) (?:made my day|is gold|wins)\b"
    r"|^\W*(?:seriously|honestly|really|true story|just saying|this times \w+)\W*$"
    r"|\b(?:thanks|thank you|thx|cheers)\W*$"
    # condolences: a kindness, not a point ("I'm so sorry for your loss, my friend."); a "but"
    # after them starts an argument, so it ends the match
    r"|^\W*(?:i'?m |i am |im )?(?:so |very |truly |really |deeply |terribly )*sorry (?:for |to hear (?:about |of )?)"
    r"(?:your|his|her|their|you) (?:loss|passing)\b(?:\W+(?!but\b)\w+){0,4}\W*$"
    r"|^\W*(?:my |our )?(?:deepest |sincere |sincerest |heartfelt )?condolences\b(?:\W+(?!but\b)\w+){0,6}\W*$"
    r"|^\W*(?:rip|r\.i\.p\.?)\W*$|^\W*rest in peace\b(?:\W+(?!but\b)\w+){0,3}\W*$"
    r"|^\W*(?:sending )?(?:my |our )?(?:thoughts and prayers|prayers)(?: are| go out| going out)? (?:to|with|for) "
    r"(?:you|your \w+|them|him|her|the family|op)\b(?:\W+(?!but\b)\w+){0,3}\W*$"
    r"|^\W*(?:sending )?(?:my |our )?(?:thoughts and prayers|(?:big |virtual )?hugs)\W*$"
    # well-wishes and sympathy ("I hope you feel better soon.", "I'm sorry you're going through
    # this."): kindness again; in a subreddit of personal stories they "restated" each other
    # across threads. A "but" ends the match, as above.
    r"|^\W*(?:and |also )?(?:i |we )?(?:really |truly |sincerely |just )?hope (?=(?:you|things|it|everything|all|your \w+)\b)"
    r"(?=(?:\W*(?!but\b)\w+){0,11}\W*$)"
    # the wish ends the sentence (at most three words after it): "I hope it goes well for the
    # Tories in the next election." and "I hope you're ok with paying higher taxes." stay claims
    r"(?=.*\b(?:feel(?:s|ing)? better|get(?:s|ting)? (?:better|well)|well soon|recover(?:s|ing)?|"
    r"(?:speedy|quick|fast|full) recovery|heal(?:s|ing|ed)?|work(?:s|ed)? out|go(?:es)? well|"
    r"turns? out (?:ok|okay|well|fine)|(?:you(?:'re| are| stay)|everything(?:'s| is)) (?:ok|okay|alright|all right|safe|well))"
    r"\b(?:\W+(?!but\b)\w+){0,3}\W*$)"
    r"|^\W*(?:get well soon|feel better(?: soon)?|stay safe|(?:wishing you )?(?:a )?(?:speedy|quick|fast) recovery)\b\W*$"
    r"|^\W*(?:and |also )?(?:i'?m |i am |im )?(?:so |very |truly |really |deeply |terribly )*sorry "
    r"(?:to hear (?:that|this|about (?:that|this|your \w+(?: \w+)?))|(?:that )?(?:this|that) happened(?: to you)?|"
    r"(?:that )?you(?:'ve| have)? (?:been|went|gone) through\b|"
    r"(?:that )?you(?:'re| are|'ve been| have been| were| went| had to)\b(?:\W+(?!but\b)\w+){0,6}?"
    r"\W+(?:going|gone|go|deal|dealing|suffering|struggling|experiencing) (?:through|with)\b)(?:\W+(?!but\b)\w+){0,3}\W*$",
    re.I,
)
THANKS_FOR = re.compile(r"\b(?:thanks|thank you) (?:so much |very much )?for\b(?!.*,\s*but\b)", re.I)
NOT_ASSERTING = re.compile(r"^\W*(?:please|if only|let me (?:share|tell|explain|ask|say|add))\b", re.I)
SELF_ANSWER = re.compile(
    r"^\W*(?:yes|no|nope|yep|yeah|absolutely|definitely|certainly|of course|sure|obviously|clearly|"
    r"not at all|not really|hardly|never|probably|probably not|maybe|nah)\b\W*(?:not)?\W*$",
    re.I,
)
SIGNATURE = re.compile(r"^\s*(?:--|—|–|~|-)\s*[\w.]+(?:\s[\w.]+)?\s*$")
TAG_QUESTION = re.compile(
    r",\s*(?:right|no|eh|yes|correct|huh|"
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)n'?t\s+(?:it|they|he|she|you|we|there|that|i)|"
    r"don'?t you think|wouldn'?t you (?:say|agree))\W*\?\W*$",
    re.I,
)
ASK = re.compile(
    r"^\W*(?:i (?:\w+ ){0,3}wonder\b|i (?:wonder|am wondering|'m wondering|was wondering|'d like to know|would like to know)|"
    r"(?:i'?m |i am )?curious (?:about|if|whether|what|why|how|who|where|when|to know)|"
    r"(?:can|could|would|will) (?:someone|somebody|anyone|anybody|you) (?:please )?(?:explain|tell|help|clarify|elaborate|point)|"
    r"(?:does )?(?:anyone|anybody|someone) (?:know|knows|have|has|else|here)|"
    r"any (?:idea|ideas|thoughts|clue|insight)s? (?:on|why|how|what|about|if|whether)|"
    r"(?:please )?(?:explain|eli5)\b)",
    re.I,
)
HEDGE = re.compile(
    r"\b(?:i (?:do not|don'?t) think|i think|i thought|i believe|i guess|i suppose|i suspect|i feel|i'?d say|i would say|i assume|"
    r"in my (?:opinion|view|experience)|imo|imho|iirc|if i recall|my (?:understanding|impression|guess|sense) is|"
    r"as far as i (?:know|can tell)|afaik|afaict|not sure|probably|perhaps|maybe|might|may|could be|"
    r"seems?|seemed|appears? to|likely|unlikely|possibly|arguably|presumably|apparently|supposedly|"
    r"i doubt|kind of|sort of|somewhat)\b",
    re.I,
)
EVIDENCE = re.compile(
    r"https?://|www\.|\[\d+\]|\b\d[\d,.]*\s*(?:%|percent|x|times|k|m|bn|million|billion)?\b|"
    r"\bi(?:'ve| have)? (?:visited|worked|work|saw|seen|was there|lived|live|used to|tested|measured|tried|"
    r"met|talked to|spoke to|studied|built|ran|run|read the (?:paper|study|report|law|bill))\b|"
    r"\b(?:according to|studies (?:show|have shown|found)|a study|the study|research (?:shows|has shown|suggests)|"
    r"data (?:shows|show)|the (?:study|report|survey|poll|census)\b|source:|citation:|see \[)",
    re.I,
)
TRAILING_QUOTED_QUESTION = re.compile(r"[\"“][^\"“”]*\?[\"”]\W*$")
WH = {"what", "why", "how", "who", "whom", "whose", "where", "when", "which"}
INVERTING_AUX = {
    "is", "are", "was", "were", "am", "do", "does", "did", "have", "has", "had", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "wo", "ca",  # spaCy splits "won't" -> "wo" + "n't"
}
LEAD_WORDS = {"so", "but", "and", "or", "then", "well", "also", "now", "ok", "okay", "honestly", "seriously", "really"}

# Not arguments, whatever their grammar: shell commands, install instructions, tracebacks,
# log lines, and bare reactions. They never become claims, so never edge endpoints.
COMMAND = re.compile(
    r"^\s*(?:\$\s|>>>\s|sudo\s|pip3?\s+install\b|python3?\s+-m\s|apt(?:-get)?\s+install\b|brew\s+install\b|"
    r"npm\s+(?:i|install|run)\b|yarn\s+add\b|git\s+(?:clone|checkout|pull|push|commit)\b|curl\s+-|wget\s+http|"
    r"docker\s+run\b|cargo\s+install\b|chmod\s|export\s+\w+=)", re.I)
INSTALL_INSTRUCTION = re.compile(
    r"\b(?:pip3?|apt(?:-get)?|brew|npm|yarn|gem|cargo)\s+install\b|\bfollow the instructions (?:at|on|here)\b|"
    r"\b(?:run|type|enter|execute) (?:the )?(?:command|`)", re.I)
TRACEBACK_OR_LOG = re.compile(
    r"Traceback \(most recent call last\)|^\s*File \"[^\"]+\", line \d+|^\s*\w+(?:\.\w+)*(?:Error|Exception):\s|"
    r"^\s*at [\w.$<>]+\(|^\s*\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|^\s*\[?(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL)\]?[\s:]")
REACTION = re.compile(
    r"^\W*(?:lol|lmao|rofl|haha\w*|hehe\w*|this|same|same here|exactly|agreed|\+1|so much this|nice|cool|wow|awesome|"
    r"amazing|great|brilliant|beautiful|thanks?(?: you)?(?: so much)?|ty|thx|ok(?:ay)?|yes|yep|yeah|no|nope|nah|true|"
    r"this is (?:great|awesome|amazing|brilliant|so cool)|great,? (?:it )?works(?: for me)?(?: now)?|"
    r"(?:that|this) (?:was|is) (?:just )?(?:cold|savage|gold|hilarious|amazing)(?: man| dude)?|"
    r"(?:this|that) makes me (?:want to|wanna) [^.!?]{1,40}|i see what you did there)\W*$", re.I)

MIN_CLAIM_WORDS = 3
MIN_LONE_FRAGMENT_WORDS = 5

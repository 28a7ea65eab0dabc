"""The asker's own story: the people, places and body a citizen tells of, which no statute names.

邻居家一直吃低保 儿子在外面挣大钱了也不报 查出来会咋样 is answered by 城市居民最低生活保障条例 第十四条, which says nothing of
a neighbour, a son or 外面; 我腿脚不方便 能让家里人拿我的医保卡帮我去药店买药吗 by the article on 委托他人代为购药, which
names no 腿脚 and no 家里人. The answerability score counts such words against the passage as it counts a driving
licence against an article on ID cards, and puts these under the threshold. A passage that mentions everything else
the question names, a specific word among it, leaves untold only what the asker told of themselves.
"""

from __future__ import annotations

import re

from knowledge_base.question import QuestionTerms
from knowledge_base.relevance import present

# Family, by the words said at a hall (我爸, 俺娘, 老伴, 家里人), and 邻居家, 亲戚家: the family's home.
_KIN = (
    "爸|妈|爹|娘|爸爸|妈妈|爸妈|父亲|母亲|父母|儿子|女儿|闺女|孩子|小孩|娃|儿女|老伴|老公|老婆|媳妇|丈夫|妻子|爱人|"
    "爷爷|奶奶|姥姥|姥爷|外公|外婆|公公|婆婆|岳父|岳母|丈母娘|哥|姐|弟|妹|哥哥|姐姐|弟弟|妹妹|兄弟|姐妹|孙子|孙女|外孙|"
    "儿媳|女婿|亲戚|家里人|家人|两口子"
)
# People one knows or works for
_ACQUAINTANCES = "邻居|朋友|同事|同学|老乡|房东|老板|领导|会计|师傅"
# Where one's own life goes on (厂里 is the factory one works at, not a statute's 用人单位)
_PLACES = "厂里|厂子|外面|外头|老家|村里|小区|楼下|隔壁"
# One's body and how one gets about
_BODY = "腿脚|身体|行动|方便"
_STORY_WORD = re.compile(
    rf"^(?:我|俺|咱|他|她|我们|俺们)?(?:{_KIN}|{_ACQUAINTANCES})(?:家|们)?$|^(?:{_PLACES})$|^(?:不)?(?:{_BODY})$"
)


def is_story_word(word: str) -> bool:
    """A word for someone or somewhere in the asker's own life, or their body: 邻居家, 我爸, 厂里, 腿脚."""
    return bool(_STORY_WORD.match(word))


# a word this specific (低保 0.79, 医保卡 0.96; 部门 0.46 is not) must be among those the passage mentions
SPECIFIC = 0.7


def untold_but_story(terms: QuestionTerms, passage: str) -> bool:
    """The passage leaves untold words of the asker's story and only those, and mentions every other subject word of
    the question, a specific one among them: what it leaves out is who asks, not what is asked. A passage that
    mentions every word is not let through here: under the threshold it may still be off the point (个税专项附加扣除怎么填 /
    去哪个部门办 and the article on which departments give the tax office what they know)."""
    told = {word: present(word, passage) for word, _ in terms.subject}
    named = [weight for word, weight in terms.subject if told[word]]
    untold = [word for word in told if not told[word]]
    return bool(untold) and max(named, default=0.0) >= SPECIFIC and all(map(is_story_word, untold))


__all__ = ["is_story_word", "untold_but_story"]

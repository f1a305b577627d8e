"""Word lists, city table and weighted rules for the local intent classifier (`agent.understanding.intent`).

Everything here is data: patterns run over the *canonical* text that `agent.understanding.intent` builds
(normalised, slang expanded and key words fuzzily corrected with `agent.understanding.spelling`), so
they are written without accents and with full words ("voce", "quanto", "nao", "estou") instead
of "vc", "qto", "n", "to".
"""

from __future__ import annotations

from agent.understanding.places import UFS as UFS  # re-exported: agent.understanding.llm checks UFs here


def _words(text: str) -> frozenset[str]:
    """Space-separated word lists read better than long literal sets."""
    return frozenset(text.split())


# Compact tables and rule lists read better than one entry per line.
# fmt: off
# --- weak intents decided by the words a whole message is made of ----------------------------
FILLER: frozenset[str] = _words(
    "por favor entao ai la ne viu mesmo e o a eu voce silvia moca amiga amigo querida "
    "senhora senhor ok beleza tambem aqui pra"
)
AFFIRM_CORE: frozenset[str] = _words(
    "sim claro quero pode bora beleza ok isso exato exatamente certo show fechado perfeito "
    "otimo top massa positivo vamos vamo topo aceito legal bom tenho demais certeza combinado "
    "fechou partiu dale manda simbora arretado arretada maravilha bacana joia firmeza demorou "
    "suave tranquilo vambora crer boa mostra mostre apresenta apresente si yes sure yeah yep "
    "👍 ✅ 👌 🙌 👏"
)
AFFIRM_WORDS: frozenset[str] = _words(
    "ser mandar manda continuar que com la mesmo nessa interesse saber mais esta tudo vamo tenho "
    "quero pode sim e isso ai mostrar mostra mostre apresentar apresenta apresente falar me ver veja "
    "pode crer seguir bom acho"
)
DENY_CORE: frozenset[str] = _words("nao nem negativo nunca jamais dispenso")
DENY_WORDS: frozenset[str] = _words(
    "quero tenho interesse preciso obrigado obrigada valeu mais pensar nenhum de jeito "
    "sim isso gosto quero obg brigado agradeco prefiro melhor acho que"
)
GREET_CORE: frozenset[str] = _words(
    "oi ola eai opa salve fala hello hi hey alo dia tarde noite bomdia boatarde boanoite bao 👋"
)
GREET_WORDS: frozenset[str] = _words(
    "bom boa tudo bem joia beleza certo com como vai esta estou tranquilo otimo e ai "
    "pessoal gente turma bao tranquilidade na paz meu minha rei rainha flor linda lindo querido "
    "querida galera povo firmeza suave sussa todos voces vcs blz bom"
)
THANKS_CORE: frozenset[str] = _words(
    "obrigado obrigada obrigadao obrigadinha brigadao agradeco agradecida agradecido grato "
    "grata gratidao valeu tamojunto thanks thank 🙏 ❤ ❤️ 💙 😘 🥰"
)
THANKS_WORDS: frozenset[str] = _words(
    "muito muita pela pelas pelo atencao informacoes informacao ajuda demais tudo de "
    "coracao you desde ja mesmo sempre deus abencoe"
)
LAUGH_OR_NOISE = (
    r"^(k+|(ha)+h?|(he)+|(rs)+|(kk)+[a-z]*|hm+|hu+m+|uhm+|ue|eita|ah|aff|afe|oxe|oxente|vixe|hein)$"
)
# Hesitations around a short reply ("hmm ok, pode mostrar") do not change it; a laugh does ("kkk boa").
HESITATION = r"^(hm+|hu+m+|uhm+|ah|eh|ue|hein)$"

# --- weighted rules -----------------------------------------------------------------------------
# (intent, regex over canonical text, weight). An intent scores the best weight it matched.
# Weights encode how unambiguous a cue is: ~0.95 decisive, ~0.85 clear, ~0.75 suggestive,
# ~0.6 weak. Weak intents (greeting/affirm/deny/thanks) are scored in code from word sets.
_SEND = r"(mando|mandar|mandarei|mandando|envio|enviar|enviarei|enviando|encaminho|passo)"
_DOC = r"(conta|contas|fatura|faturas|foto|fotos|pdf|documento|boleto|print|talao|comprovante|arquivo)"
_WHEN = r"(depois|mais tarde|amanha|jaja|ja|logo|a noite|de noite|daqui a pouco|assim que|hoje)"
_LATER_WHEN = r"(depois|mais tarde|amanha|outra hora|semana que vem|outro dia|outro momento|a noite|de noite)"

RULES: tuple[tuple[str, str, float], ...] = (
    # opt_out: wins over everything, so its patterns are specific to stopping messages.
    ("opt_out", r"^(parar|pare|para|parem|sair|sai fora|stop|cancelar|descadastrar|chega|remover|bloquear)"
                r"( por favor| agora| ja)?$", 0.97),
    ("opt_out", r"\b(parar|pare|para|parem) de (me )?(mand|envi|encher|incomod|perturb|ligar)", 0.96),
    # "a Coelba não me manda mais conta?" asks about the bill, it stops nothing.
    ("opt_out", r"\bnao (me )?(mand|envi)\w* mais\b(?! (a |as |o |os |uma |um )?(conta|contas|fatura|faturas|"
                r"boleto|boletos|cobranca|cobrancas|carta|cartas)\b)", 0.95),
    ("opt_out", r"\bnao (me )?(mand|envi)\w* (mais )?(nada|mensage)", 0.95),
    ("opt_out", r"\bnao (quero|desejo) (mais )?(receber|ser contatad|contato|mensage)", 0.95),
    # An order or a wish ("tira meu número", "podem apagar meu contato"); "de onde vocês tiraram meu
    # número?" asks where it came from (privacy_requests.py), a past tense is no request.
    ("opt_out", r"\b(tira|tire|tirem|retira|retire|retirem|remove|removam|remova|exclui|exclua|excluam|apaga|"
                r"apague|apaguem|tirar|retirar|remover|excluir|apagar)"
                r" (o )?(meu numero|meu contato|meu telefone|da lista|dessa lista|desta lista)", 0.95),
    # "me tira uma dúvida" asks something (a common idiom); "me tira daí/da lista" stops.
    ("opt_out", r"\bme (tira|tire|remove|remova|exclui|exclua|descadastra|bloqueia)\b"
                r"(?! (uma |umas |essa |esta |outra |so |mais )?"
                r"(duvida|duvidas|curiosidade|questao|pergunta))", 0.92),
    ("opt_out", r"\bdescadastr\w*|\bcancelar (a )?inscricao|\bsair da lista\b|\bstop\b", 0.95),
    ("opt_out", r"^(para|pare|parem|chega) com (isso|essas? mensage\w*|isso ai)$", 0.9),
    # "me esquece", "esquece meu numero", "nao me procure mais", "nunca mais me liga": stop contacting me.
    ("opt_out", r"(?<!nao )\bme (esquece|esqueca|esquecam|esquecem|deixa em paz|deixe em paz|"
                r"deixem em paz)\b|"
                r"\b(esquece|esqueca|esquecam|esquecem)\w* (o |que )?(meu numero|meu contato|meu telefone|"
                r"meu whatsapp|de mim|que eu existo)\b", 0.93),
    ("opt_out", r"\bnao (me )?(procur|cham|lig|contat|perturb|incomod|import)\w*( \w+)? mais\b"
                r"(?! (tarde|cedo))|"
                r"\bnunca mais (me )?(procur|cham|lig|contat|mand|envi|perturb|incomod)\w*", 0.93),
    ("opt_out", r"\bnao quero (mais )?saber (mais )?(disso|disso ai|de voces|dessa empresa|dessa historia|"
                r"de nada|mais nada)\b|\bnao quero mais saber$", 0.9),
    ("opt_out", r"\bchega de (mensage|ligac)|\bquero sair$|\bspam\b|\bvou (bloquear|denunciar)", 0.9),
    # data_request (LGPD)
    ("data_request", r"\blgpd\b|\bprivacidade\b|\bprotecao de dados\b", 0.95),
    ("data_request", r"\b(apag|exclu|delet|remov|corrig|atualiz|tir)\w* (os |as |todos os |o )?"
                     r"(meus|minhas|meu) (dados|informacoes|cadastro|registro)", 0.95),
    ("data_request", r"\b(quais|que|quantos) (dados|informacoes)\b", 0.9),
    ("data_request", r"\bdados (pessoais|meus|de mim|sobre mim)\b|\b(dados|informacoes)\b.{0,25}"
                     r"\b(sobre mim|de mim)\b", 0.9),
    ("data_request", r"\b(meus|minhas) (dados|informacoes)\b", 0.82),
    ("data_request", r"\b(fazem|fazer|faz|usam|usar|vao usar|vendem|vender|vao vender|compartilham|"
                     r"compartilhar|repassam|repassar)\b.{0,12}\b(meus|minhas|os meus|as minhas|meu) "
                     r"(dados|informacoes|cpf)\b", 0.9),
    ("data_request", r"\b(apag|exclu|delet|remov)\w* (tudo|todas?|qualquer coisa)\b.{0,20}\b(sobre|de) mim\b",
     0.92),
    ("data_request", r"\bsobre mim\b", 0.72),
    ("data_request", r"\b(sabem|sabe|tem|guardam|armazenam|coletaram|coletam|possuem)\b.{0,15}"
                     r"\b(de mim|sobre mim)\b", 0.9),
    # ask_human
    ("ask_human", r"\b(atendente|humano|humana|especialista|consultor|consultora|vendedor|"
                  r"vendedora|gerente|supervisor|operador|corretor)\b", 0.86),
    ("ask_human", r"\b(pessoa|gente|alguem) (de verdade|real)\b|\batendimento humano\b", 0.93),
    ("ask_human", r"\b(falar|conversar) com (alguem|uma pessoa|pessoa|gente|um ser humano)", 0.9),
    ("ask_human", r"\b(robo|bot|chatbot|maquina|automatic[oa]|gravacao)\b", 0.8),
    # Asking for someone by name ("posso falar com o Bruno?"); not Serena/"voces" (interest), not a
    # relative or the distributor ("queria falar com minha esposa" is a stall, not a hand-off).
    ("ask_human", r"\b(quero|queria|gostaria de|posso|poderia|pode|podia|consigo|da pra|tem como) "
                  r"(falar|conversar) com (o|a|o senhor|a senhora|seu|dona|sr|sra) (?!(serena|voces|voce|"
                  r"senhor|senhora|empresa|minha|meu|sua|seu|esposa|marido|mulher|familia|mae|pai|filho|filha|"
                  r"sindico|sindica|dono|proprietari\w*|locador\w*|socio|socia|contador\w*|"
                  r"neoenergia|celpe|coelba|cosern|enel|equatorial|cemig|energisa|distribuidora|"
                  r"concessionaria)\b)[a-z]{3,}\b", 0.88),
    ("ask_human", r"\balguem (pode |poderia )?(me )?(ligar|liga|atender|responder|retornar)|\bme atender\b",
     0.93),
    ("ask_human", r"\bme (ligar|ligue|liga)\b", 0.8),
    ("ask_human", r"\b(pode|podem|poderia|consegue|da pra) (me )?(ligar|liga)\b|\bme liga\b", 0.8),
    ("ask_human", r"\bme (transfere|transfira|transferir|passa|passe|passar|encaminha|encaminhar) "
                  r"(pra|para|com)", 0.85),
    ("ask_human", r"\b(telefone|numero|contato|whatsapp) (pra|para|de) (eu )?(ligar|falar|contato|"
                  r"atendimento)\b|\b(posso|como (eu )?posso|onde (eu )?posso|pra quem (eu )?posso) "
                  r"(ligar|telefonar)\b", 0.85),
    # ask_trust
    ("ask_trust", r"\b(golpe|golpes|golpista|golpistas|fraude|furada|piramide|enganacao|picaretagem|"
                  r"pegadinha|cilada|scam|calote|falso|falsa|armacao|fake|trambique|pilantr\w*|estafa|"
                  r"estafas|conto do vigario|passar a perna|me enganar|enganar|enrolar|me enrolar)\b", 0.9),
    ("ask_trust", r"\bquem (me )?garante\b|\bpe atras\b|\b(existem|existe) mesmo\b", 0.86),
    ("ask_trust", r"\b(confiavel|confiaveis|confiar|confianca|idonea|seria|serio|seguro|segura|"
                  r"legitima|legitimo)\b", 0.8),
    ("ask_trust", r"\breclame aqui\b|\breclamac\w*|\breclamam\b|\bnunca ouvi falar\b", 0.86),
    ("ask_trust", r"\b(falar|falam|falaram|fala|ouvi) mal\b|\bpropaganda enganosa\b|\bcnpj de voces\b|"
                  r"\b(voces|vcs|a serena) tem cnpj\b", 0.86),
    ("ask_trust", r"\b(e|eh|isso e) (verdade|real)\b|\bexiste (mesmo|de verdade)|\bverdade mesmo\b", 0.8),
    ("ask_trust", r"\b(avaliac\w*|depoimento\w*|referencias|opinioes)\b", 0.75),
    ("ask_trust", r"\bcnpj (de|da|do|dos) (voces|serena|empresa)\b", 0.9),
    ("ask_trust", r"\b(conseguiu|conseguiram|pegou|pegaram|arrumou|arrumaram|achou|acharam|tirou|tiraram|"
                  r"obteve|obtiveram|tem|tiveram) (o )?"
                  r"(meu|meus) (numero|contato|"
                  r"telefone|whatsapp)", 0.86),
    # A site/Instagram asked for, not the one the lead saw the ad on ("vi o anuncio no instagram").
    ("ask_trust", r"\b(tem|qual|quais|cade|e o|passa o|manda o) (o |um |algum )?(site|instagram|insta)\b|"
                  r"\b(site|instagram|insta) (de|da|do|oficial)\b|"
                  r"\bendereco (de|da|do) (voces|serena|empresa)\b|"
                  r"\bonde fica a (empresa|serena|sede)\b", 0.7),
    ("ask_trust", r"\b(sao|e|existe|existem) de verdade\b|\bcomo (eu )?(sei|vou saber|posso saber|"
                  r"tenho certeza|posso confiar)\b", 0.8),
    ("ask_trust", r"\b(aneel|procon|regulamentad\w*|registrad\w*|autorizad\w*|licenciad\w*|homologad\w*|"
                  r"credenciad\w*)\b", 0.82),
    ("ask_trust", r"\bmedo\b|\bdesconfi\w*|\bsuspeit\w*|\bquem (e|sao) (a serena|voces|voce)\b", 0.75),
    # ask_contract
    ("ask_contract", r"\b(fidelidade|fidelizacao|multa|multas|carencia|rescis\w*|permanencia|"
                     r"clausula\w*|contrato|contratos)\b", 0.88),
    ("ask_contract", r"\bcancel\w*|\bdesist\w*", 0.85),
    ("ask_contract", r"\b(prazo|periodo|tempo) (minimo|do contrato|de contrato)\b", 0.9),
    ("ask_contract", r"\b(mudar|mudo|mudanca|mudei|mude|mudando|trocar|vender|vendo|vendi)\b.{0,25}"
                     r"\b(casa|endereco|cidade|estado|apartamento|imovel)\b|\bme mud\w*", 0.9),
    ("ask_contract", r"\bse eu (mudar|sair|quiser sair)\b|\b(quando quiser|qualquer momento|"
                     r"qualquer hora)\b", 0.8),
    # The bill in someone else's name ("no nome da minha mae") is a question about who can sign.
    ("ask_contract", r"\b(no|em|pro|pra|para o) nome (de|da|do|dos|das) (minha|meu|minhas|meus|outra|outro|"
                     r"alguem|terceiro|mae|pai|marido|esposa|esposo|sogra|sogro|filho|filha|ex|dono|dona|"
                     r"proprietari\w*|locador\w*|inquilino)\b|"
                     r"\b(nao|nem) (esta |e |fica |ta )?(no|em) (meu|o meu) nome\b|\btitular\w*", 0.9),
    ("ask_contract", r"\bquantos (meses|anos)\b|\btermos\b", 0.72),
    ("ask_contract", r"\b(assinar|assino|assina) (algum |alguma |um |uma )?(coisa|papel|documento|termo)\b|"
                     r"\b(preciso|tenho que|tem que|precisa) assinar\b|\bpapelada\b|\bletra miuda\b", 0.85),
    # ask_installation
    ("ask_installation", r"\binstal\w*|\b(placa|placas|painel|paineis|modulos|inversor)\b", 0.86),
    ("ask_installation", r"\b(telhado|laje|obra|obras|reforma|quebradeira|quebra quebra)\b", 0.86),
    ("ask_installation", r"\b(tecnico|tecnicos|visita tecnica|furar)\b", 0.78),
    ("ask_installation", r"\b(medidor|relogio de luz|fiacao|equipamento\w*|aparelho\w*)\b", 0.8),
    ("ask_installation", r"\b(vir|vem|vai vir|venha|vao vir|vai vim) (aqui|na minha casa|em casa|"
                         r"no meu|na minha)|\balguem (vai )?(vem|vir|vim)\b", 0.84),
    ("ask_installation", r"\bmexer (na|no|em)\b|\b(moro|mora|morando) (em |de |num |no |na )?"
                         r"(apartamento|predio|condominio|aluguel|casa alugada)", 0.85),
    # A bare "moro em apartamento" is the installation worry said as a statement: its FAQ answer
    # ("funciona em apartamento") serves it better than provide_info, which would re-ask city and bill.
    ("ask_installation", r"^(eu )?(moro|mora|moramos|vivo|morando) (em |num |no |na |de )?(um |uma )?"
                         r"(apartamento|predio|condominio|aluguel|casa alugada|kitnet|quitinete)"
                         r"( alugad[oa])?$", 0.9),
    ("ask_installation", r"\b(funciona|da pra|da|serve|posso|pode|consigo) .{0,15}\b(apartamento|predio|"
                         r"condominio|aluguel|casa alugada)\b", 0.86),
    ("ask_installation", r"\b(tem que|precis\w*|preciso) (de )?(colocar|por|botar|comprar|trocar)\b", 0.8),
    # ask_price
    ("ask_price", r"\bquanto (que )?(custa|custaria|sai|saira|fica|ficaria|vou pagar|pago|eu pago|eu vou|"
                  r"e|sera|seria|cobra\w*|de desconto|economiz\w*|eu economiz\w*|vou economiz\w*|"
                  r"da pra economiz\w*|que custa|que sai|que fica|voces cobram|da|vai ficar)\b", 0.92),
    ("ask_price", r"\b(qual|quais) (o |os |e o |seria o |vai ser o )?(valor|valores|preco|precos|"
                  r"desconto|custo|custos)\b|\btem (algum |alguma )?(custo|taxa)\b", 0.92),
    ("ask_price", r"\bmais barat[oa] (que|do que)\b|\b(e|fica|sai) (mais )?(caro|barato)\b|"
                  r"\b(sai|fica|e|seria|sera|vai sair|vai ficar) (mais )?em conta\b", 0.9),
    ("ask_price", r"\bquanto\b.{0,20}\b(economiz\w*|pagar|pago|pagaria|custa\w*|sai|fica|ficaria|cobra\w*)\b",
     0.9),
    ("ask_price", r"\b(compensa|vale a pena)\b", 0.76),
    # A cost to start ("preciso pagar alguma coisa agora?", "tem que pagar algo pra comecar?").
    ("ask_price", r"\b(preciso|precisa|precisaria|tenho que|tem que|vou ter que|vou precisar|devo|teria que)"
                  r"( \w+)? (pagar|desembolsar) (alguma coisa|algo|nada|algum valor|alguma taxa|antes|"
                  r"adiantado|na entrada|pra (comecar|entrar|aderir|assinar))\b|"
                  r"\b(pago|pagar) (alguma coisa|algo) (pra|para|antes|agora|na entrada)\b", 0.88),
    # Asking which plan to take ("qual o mais barato?", "qual vc recomenda?") is a question about the
    # plans' figures, not a choice.
    ("ask_price", r"\b(qual|quais)( e| seria| sai| fica)?( o| a| os)?( plano| planos| opcao)? (mais|menos) "
                  r"(barat|caro|em conta|economic|vantajos|complet|popular|simples|basico|indicad|"
                  r"recomendad)",
     0.88),
    ("ask_price", r"\b(qual|quais|que plano|que opcao|o que)( \w+){0,3} (recomend|indic|suger|aconselh)\w*|"
                  r"\b(voce|voces) (me )?(recomend|indic|suger|aconselh)\w* (qual|que|algum|um)\b|"
                  r"\b(qual|o que|que)( e| seria| vai ser)?( o| a)? (melhor|ideal|certo|mais indicado)\b|"
                  r"\b(melhor|ideal) (plano|opcao|pra mim|para mim)\b|"
                  r"\bqual (plano )?(eu )?(escolho|pego|devo)\b",
     0.86),
    # A bill that "came high" is a wish to pay less: answer with price and plans (an amount, if
    # given, still makes it provide_info).
    ("ask_price", r"\b(conta|fatura|luz|energia)\b.{0,20}\b(alta|altissima|cara|carissima|salgada|absurd[oa]|"
                  r"pesada|um absurdo)\b", 0.8),
    ("ask_price", r"\b(custa|custaria|sai|fica|ficaria|vai ficar|vai sair|cobram|pago|pagaria)"
                  r"( por| mais ou menos)? quanto\b", 0.92),
    ("ask_price", r"\b(custa|custo|custos|preco|precos|valor|valores|mensalidade|tarifa|taxa|"
                  r"taxas|adesao|cobram|cobrado|cobranca|gratis|gratuito|de graca|caro)\b", 0.8),
    ("ask_price", r"\b(desconto|descontos|economia|economiz\w*|barato)\b", 0.75),
    ("ask_price", r"\b(diferenca|diferencas) (entre|dos|de cada)\b|\b(quais|que) (sao )?(os )?planos\b", 0.8),
    ("ask_price", r"\bplanos\b", 0.65),
    # ask_how_it_works
    ("ask_how_it_works", r"\bcomo\b.{0,25}\bfunciona\w*|"
                         r"\bfunciona como\b|\bfuncionamento\b", 0.85),
    ("ask_how_it_works", r"\b(me )?expli(ca|que|car|cacao)\w*|\bcomo assim\b|"
                         r"\bnao (estou )?(entendi|entendendo|saquei|captei|compreendi|ficou claro)\b", 0.8),
    ("ask_how_it_works", r"\bcomo (voces )?(conseguem|fazem|dao|garantem|geram)\b", 0.86),
    ("ask_how_it_works", r"\bo que (e|seria|sao) (isso|essa|esse|a |o |geracao|energia|assinatura)|"
                         r"\bque (servico|empresa) e ess[ae]\b|\bo que voces fazem\b", 0.8),
    ("ask_how_it_works", r"\bgeracao (compartilhada|distribuida)\b|\bassinatura de energia\b|"
                         r"\benergia (solar )?por assinatura\b|\b(de|da) onde vem\b|\bvem (de|da) onde\b|"
                         r"\businas?\b", 0.82),
    ("ask_how_it_works", r"\bcomo (a energia|eu recebo|recebo|chega|vou receber|voces fazem|e feito|"
                         r"e o esquema|e esse esquema|eu ganho|eu pago|fica a conta)", 0.85),
    ("ask_how_it_works", r"\bcontinuo (recebendo|pagando)\b|\bcredito\w*|\bainda (vou )?(receb|pag)\w*"
                         r" (a )?conta", 0.78),
    ("ask_how_it_works", r"\b(e|sao|voces sao) (da|a|o|parte da) (neoenergia|celpe|coelba|cosern|enel|"
                         r"energisa|equatorial|distribuidora|companhia de luz)\b", 0.75),
    ("ask_how_it_works", r"\bcomo (e|seria|fica)\b|\bde que forma\b", 0.6),
    # How long until it starts: a timeline question, not a price one (a loyalty or installation word
    # wins the tie by priority: "quanto tempo de fidelidade", "quanto tempo demora pra instalar").
    ("ask_how_it_works", r"^(?!.*\b(fidelidade|fidelizacao|contrato|multa|carencia|dura|instal\w*)\b)"
                         r".*(\b(quanto tempo|em quanto tempo|qual o prazo|quantos dias|prazo (pra|para))\b|"
                         r"\b(demora|demoram|leva|levam|demorar|levar)\w* (quanto|muito|mais ou menos)\b|"
                         r"\bquando (eu )?(comec|passo a|vou comecar|vou ter|vai comecar|vou ver|vejo|"
                         r"entra)\w*)",
     0.86),
    ("ask_how_it_works", r"\bo que (eu )?(preciso|tenho que|devo|precisa) (fazer|ter)\b|"
                         r"\b(pra|para|como) (participar|aderir|entrar|ter (esse|essa|o|a))\b", 0.8),
    ("ask_how_it_works", r"\bcontinu\w* (a )?(vir|vindo|receber|recebendo|pagar|pagando|chegando|sendo)\b|"
                         r"\b(duas|2) contas\b", 0.8),
    ("ask_how_it_works", r"\b(tipo|igual|como se fosse|parecido com|e) (um |uma |a |o )?"
                         r"(consorcio|cooperativa|netflix|aluguel|financiamento|associacao|clube)\b", 0.8),
    # "energia solar sem placa" is the concept itself, not an installation question.
    ("ask_how_it_works", r"\b(sem|nao tenho|nao tem|nao precisa de|nao preciso de) "
                         r"(precisar (de )?|ter que |ter )?(instalar|instalacao|placas?|paineis|painel|"
                         r"obras?)\b", 0.9),
    # Any other "funciona" is a weak cue; the lookahead keeps it from doubling the "como funciona" rule.
    ("ask_how_it_works", r"\b(o que|que) (eu )?ganho\b|\bvantage\w*|\bbeneficio\w*|"
                         r"\bfunciona (pra|para|em|no|na|com)\b", 0.8),
    ("ask_how_it_works", r"^(?!.*\b(como\b.{0,25}\bfunciona|funciona como\b)).*\bfunciona\w*\b", 0.7),
    # document_promise
    ("document_promise", rf"\b{_SEND}\b.{{0,30}}\b{_DOC}\b", 0.9),
    ("document_promise", rf"\b{_DOC}\b.{{0,60}}\b(mando|envio|te mando|te envio|mandarei|enviarei)\b", 0.88),
    ("document_promise", r"\b(quando|assim que)\b.{0,30}\b(eu )?(te )?(mando|envio|encaminho)\b|"
                         r"\b(eu|ja) (te )?(mando|envio)$|^(eu )?(te )?(mando|envio|mandarei|enviarei)"
                         r"( sim| ja| agora| hoje| daqui a pouco)?$", 0.86),
    ("document_promise", rf"\b(pegar|procurar|buscar|procuro|busco|pego|tiro|tirar|achar|acho)"
                         rf"\b.{{0,12}}\b{_DOC}\b", 0.84),
    ("document_promise", rf"\b{_WHEN} (eu )?(te )?(mando|envio|encaminho|passo)\b", 0.86),
    ("document_promise", rf"\b(mando|envio)\b.{{0,15}}\b{_WHEN}\b", 0.85),
    ("document_promise", rf"\b(ja )?(mandei|enviei|encaminhei|mandou|enviou)\b.{{0,20}}\b{_DOC}\b", 0.72),
    # The bill is not at hand ("nao tenho a conta aqui agora"): it will come later, not a refusal.
    ("document_promise", rf"\b(nao (tenho|estou com|achei|acho|encontrei|encontro)|estou sem|sem) "
                         rf"(a |as |uma |o )?{_DOC}\b.{{0,25}}\b(aqui|agora|comigo|no momento|em maos|na mao|"
                         rf"hoje|no celular)\b|"
                         rf"\b{_DOC}\b.{{0,20}}\bnao (esta|fica)( \w+)? (aqui|comigo|em casa)\b", 0.88),
    # later
    ("later", r"\bagora nao (posso|da|consigo|tenho tempo|e uma boa hora|rola)\b|\bagora nao$", 0.9),
    ("later", r"\bnao (posso|consigo|da) (falar |responder |conversar |ver )?agora\b|\bnao estou podendo\b",
     0.9),
    ("later", r"\b(estou|estava|ando) (agora )?(no trabalho|trabalhando|dirigindo|ocupad\w*|em reuniao|"
              r"na rua|no onibus|na aula|no medico|no hospital|viajando|no transito|sem tempo|"
              r"na correria|correndo|no servico|fora de casa|fora da cidade|no culto|na igreja|na missa|"
              r"no banho|na academia|"
              r"almocando|jantando|na faculdade|na escola|dormindo|com cliente|em atendimento|de plantao)\b",
     0.9),
    ("later", r"\bestou (no|na|em) \w+\b.{0,20}\b(depois|mais tarde|amanha|outra hora)\b|"
              r"\b(estou|to) (corrid[oa]|enrolad[oa]|atarefad[oa])\b", 0.88),
    ("later", r"\b(ocupad[oa]|em reuniao|dirigindo|sem tempo|correria)\b", 0.75),
    ("later", rf"\b(falo|falamos|conversamos|converso|respondo|vejo|vemos|retorno|chamo|te chamo|"
              rf"te respondo|te falo) (com voce )?{_LATER_WHEN}", 0.9),
    ("later", r"\b(depois|mais tarde|outra hora|amanha) (a gente |eu |nos |te )?(conversa|converso|"
              r"conversamos|fala|falo|falamos|ve|vejo|vemos|respondo|retorno|chamo|ligo)\b|\bcom calma\b",
     0.88),
    ("later", rf"\bme (chama|liga|ligar|ligue|chame|procura|procure|manda mensagem|retorna)"
              rf" (\w+ )?{_LATER_WHEN}|\bdeixa (pra|para) depois\b", 0.92),
    ("later", r"\bvou pensar\b|\bpreciso pensar\b|\bvou analisar\b|\bvou ver (com|e)\b", 0.85),
    ("later", rf"\b{_LATER_WHEN}\b", 0.6),
    # affirm phrases: interest said in words rather than "sim"
    ("affirm", r"(?<!nao )\b(quero saber mais|(quero|queria|gostaria de) (entender|conhecer|saber)|"
               r"me (fala|conta) mais|fala mais|tenho interesse|me interess\w*|"
               r"interessad[oa])\b", 0.82),
    ("affirm", r"\b(manda|mande|envia|envie|pode mandar|pode enviar|mostra|mostre|mostrar|apresenta\w*|"
               r"quero ver)\b"
               r".{0,10}\b(proposta|simulacao|orcamento|"
               r"informac\w*|detalhes|planos|opcoes)\b", 0.8),
    ("affirm", r"\b(quero|vamos|bora|vou|posso|pode) (contratar|assinar|aderir|fechar|fazer)\b|"
               r"\bonde (eu )?assino\b|\bcomo (faco|fazer|eu faco) (pra|para) (contratar|assinar|aderir)\b|"
               r"\bproximo passo\b", 0.85),
    ("affirm", r"^esta( bom| certo| otimo| bem| combinado| fechado)?$|^(ok|beleza) entao$", 0.88),
    ("affirm", r"^(eu )?(estou|to) dentro\b|\bconta comigo\b", 0.88),
    # deny phrases that the word-set check cannot see ("agora nao tenho interesse, obrigado")
    ("deny", r"\bnao (tenho|tenho mais) interesse\b|\bsem interesse\b|\bde jeito nenhum\b|"
             r"\bnem pensar\b|\bnao me interessa\b|\bdispenso\b", 0.9),
    ("deny", r"^(nao|nem)\b.{0,20}\b(quero|preciso|obrigad[oa]|valeu)\b|\bnao (quero|preciso)\b", 0.8),
    ("deny", r"\bnao (vou|iria|vamos) (querer|contratar|aderir|assinar|fechar|precisar)\b|"
             r"^(nao|nem)( \w+)? (obrigad[oa]|valeu|agradeco)\b(?!.*\bmas\b)", 0.9),
    # An objection, not a question: "ja tenho placa solar" (they already have what we would sell).
    ("deny", r"\bja (tenho|temos|possuo|uso|usamos) (\w+ )?(placas?|paineis|painel|energia solar|solar|usina|"
             r"desconto|outra empresa)\b", 0.88),
    ("deny", r"^(eu )?(estou|to) fora\b(?! de)", 0.9),
    ("deny", r"\bnada a ver\b|\bnao estou interessad[oa]\b|\bnao me interess", 0.85),
    ("deny", r"^(deixa|deixe) (pra|para) (la|depois nao)$|^(esquece|esqueca|deixa quieto)$", 0.85),
    # provide_info (entities add to this in code)
    ("provide_info", r"\b(meu nome e|me chamo|aqui e o|aqui e a|aqui quem fala|eu sou o|eu sou a)\b", 0.82),
    ("provide_info", r"\b(moro|resido|morando|moramos) (em|no|na|aqui)\b|\bsou eu\b|\bi (live|am from)\b|"
                     r"\bmy name is\b", 0.76),
    ("provide_info", r"\b(minha|a) (conta|fatura)( de luz)? (vem|veio|e|da|fica|esta|chega|gira|costuma)\b",
     0.76),
    ("provide_info", r"\b\d+ ?kwh\b|\bconsumo\b|\b\d{4,5}-\d{4}\b|\b(meu|o meu) (numero|telefone|celular|"
                     r"email|cpf|endereco) e\b", 0.76),
    ("provide_info", r"\b(e|sou|somos) (pessoa fisica|pessoa juridica|residencial|comercial|mei)\b", 0.85),
)

# --- role-play ------------------------------------------------------------------------------------
# A message that casts Sílvia in another role ("finja que você é o vendedor da X", "agora você é um
# atendente do banco", "you are now...") names a role for her to play, not a person to talk to: the
# person words in it ("vendedor", "atendente") are no request for a specialist.
ROLE_PLAY = (
    r"\b(finja|finge|fingir|finjam|imagine|imagina|suponha|supoe|faz de conta|faca de conta|"
    r"vamos brincar|vamos fingir|a partir de agora|de agora em diante)\b.{0,30}\b(voce|tu)\b"
    r"|\bagora (voce|tu) (e|sera|vai ser)\b|\b(voce|tu) agora (e|sera|vai ser)\b"
    r"|\b(responda|responde|fale|fala|aja|age|atue|se comporte|comporte se) como (se fosse|um|uma)\b"
    r"|\b(you are now|pretend|act as|roleplay|role play)\b"
)
# A message that is mostly one short phrase repeated ("R$ 1,00 R$ 1,00 ..." a thousand times) is
# noise: no amount, greeting or request in it is the lead's. At least this many words, and at most
# this share of them distinct.
REPETITION_MIN_WORDS = 20
REPETITION_MAX_DISTINCT_SHARE = 0.15

# --- question cues (plan choice and decision cues: agent.understanding.entities) ---------------------
# An indirect question ("queria saber quanto...", voice messages without "?") counts as a question.
INDIRECT_QUESTION = (
    r"\b(queria|quero|gostaria de|gostaria|preciso|gostava de) (so )?saber\b|\bme (diz|diga|fala|fale)\b|"
    r"\bsera que\b|\b(uma|minha) duvida\b|\bpergunta\b"
)
# Ties go to the intent whose handling matters most (stop > privacy > human > questions > ...).
PRIORITY: tuple[str, ...] = (
    "opt_out", "data_request", "ask_human", "ask_contract", "ask_trust", "ask_installation", "ask_price",
    "ask_how_it_works", "choose_plan", "document_promise", "later", "provide_info", "deny", "affirm",
    "thanks", "greeting", "other",
)
# fmt: on

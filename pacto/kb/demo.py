"""Demo articles: for each preset's products, troubleshooting and how-to articles in English
with their Brazilian Portuguese translations, a few internal ones, votes and a deflection.
Built through the actions from the compact table below."""

from __future__ import annotations

from pacto.kb.actions import do_create_article, do_deflect, do_vote

# product, categories, (title EN, body EN), (title PT-BR, body PT-BR), status
ARTICLES = [
    ("senhasegura PAM / Core", ["vault", "troubleshooting"],
     ("Vault unreachable after an upgrade", "After an upgrade the web console may answer *503 Service Unavailable* while the vault service rebuilds its cache.\n\n1. Open **Settings › System › Services**.\n2. Restart the `vault` service.\n3. Wait two minutes and sign in again.\n\nIf the error persists, collect the logs from **Diagnostics › Export** and open a ticket."),
     ("Cofre inacessível após atualização", "Após uma atualização o console web pode responder *503 Service Unavailable* enquanto o serviço do cofre reconstrói o cache.\n\n1. Abra **Configurações › Sistema › Serviços**.\n2. Reinicie o serviço `vault`.\n3. Aguarde dois minutos e entre novamente.\n\nSe o erro continuar, exporte os logs em **Diagnóstico › Exportar** e abra um chamado."), "published"),
    ("senhasegura PAM / Core", ["passwords"],
     ("Reset a privileged password that failed rotation", "When automatic rotation fails the credential is marked **Rotation failed**.\n\n- Check that the target accepts the service account.\n- Use **Credentials › Actions › Change now** to retry.\n- If the target was restored from backup, choose **Reconcile** first."),
     ("Redefinir uma senha privilegiada cuja troca falhou", "Quando a troca automática falha a credencial fica como **Falha na troca**.\n\n- Verifique se o alvo aceita a conta de serviço.\n- Use **Credenciais › Ações › Trocar agora** para tentar de novo.\n- Se o alvo foi restaurado de backup, escolha **Reconciliar** antes."), "published"),
    ("senhasegura PAM / Core", ["ldap", "troubleshooting"],
     ("Users of nested AD groups are not imported", "LDAP synchronization reads one level of groups by default. Enable **Follow nested groups** in the LDAP connector and raise the page size to 1000 for directories with more than 5,000 users."),
     ("Usuários de grupos aninhados do AD não são importados", "A sincronização LDAP lê um nível de grupos por padrão. Ative **Seguir grupos aninhados** no conector LDAP e aumente o tamanho de página para 1000 em diretórios com mais de 5.000 usuários."), "published"),
    ("senhasegura PAM / Core", ["sessions"],
     ("Session recordings do not play in the browser", "Recordings are played by the web player, which needs the recording storage mounted. Check **Settings › Storage** and make sure the mount shows *online*; recordings made while it was offline are kept in the local buffer and uploaded when it returns."),
     ("Gravações de sessão não tocam no navegador", "As gravações são tocadas pelo player web, que precisa do armazenamento montado. Confira **Configurações › Armazenamento** e veja se a montagem aparece *online*; gravações feitas sem ela ficam no buffer local e são enviadas quando ela volta."), "published"),
    ("senhasegura PAM / Core", ["install"],
     ("Prepare a high-availability cluster", "A cluster needs two nodes of the same version, a virtual IP in the same network and port 3306 open between the nodes. Configure the primary first, then join the secondary from **Cluster › Join**."),
     ("Preparar um cluster de alta disponibilidade", "Um cluster precisa de dois nós da mesma versão, um IP virtual na mesma rede e a porta 3306 aberta entre os nós. Configure primeiro o primário e depois junte o secundário em **Cluster › Juntar**."), "published"),
    ("senhasegura PAM / Core", ["internal"],
     ("Escalation runbook: vault cache corruption", "Internal: ask for `diag.tar.gz`, check `cache.db` integrity with the support tool and escalate to second line with the output."),
     ("Runbook de escalonamento: corrupção do cache do cofre", "Interno: peça o `diag.tar.gz`, verifique a integridade do `cache.db` com a ferramenta de suporte e escale para o segundo nível com a saída."), "internal"),
    ("senhasegura PAM / DevOps Secret Manager", ["devops"],
     ("Inject secrets into a Kubernetes deployment", "Install the DSM injector with Helm, annotate the deployment with `dsm/inject: \"true\"` and name the secret path. The pod reads the secrets at start; rotate them with **DSM › Applications › Rotate**."),
     ("Injetar segredos em um deployment Kubernetes", "Instale o injetor do DSM com Helm, anote o deployment com `dsm/inject: \"true\"` e informe o caminho do segredo. O pod lê os segredos ao iniciar; troque-os em **DSM › Aplicações › Trocar**."), "published"),
    ("senhasegura PAM / DevOps Secret Manager", ["devops", "troubleshooting"],
     ("CI pipeline gets 401 from the secrets API", "A 401 means the application's token expired or was revoked. Create a new token under **DSM › Applications › Authentication** and update the pipeline variable; tokens expire after 90 days by default."),
     ("Pipeline de CI recebe 401 da API de segredos", "Um 401 indica que o token da aplicação expirou ou foi revogado. Crie um novo token em **DSM › Aplicações › Autenticação** e atualize a variável do pipeline; os tokens expiram em 90 dias por padrão."), "published"),
    ("SanerNow / Patch Management", ["patching", "troubleshooting"],
     ("Patch deployment stuck at pending", "Agents pick up patch jobs at their next check-in. If a job stays *pending* for more than an hour, confirm the agent is online in **Devices**, that the maintenance window is open and that the device has at least 2 GB free."),
     ("Implantação de patch parada em pendente", "Os agentes pegam as tarefas de patch no próximo check-in. Se uma tarefa ficar *pendente* por mais de uma hora, confirme que o agente está online em **Dispositivos**, que a janela de manutenção está aberta e que há pelo menos 2 GB livres."), "published"),
    ("SanerNow / Patch Management", ["agents"],
     ("Agent shows offline after a reboot", "The agent service starts automatically. If the device stays offline, check the proxy settings in `agent.conf` and that outbound port 443 to the SanerNow server is allowed."),
     ("Agente aparece offline após reinicialização", "O serviço do agente inicia automaticamente. Se o dispositivo continuar offline, confira o proxy no `agent.conf` e se a porta 443 de saída para o servidor SanerNow está liberada."), "published"),
    ("SanerNow / Patch Management", ["patching"],
     ("Roll back a patch that broke an application", "Open the device, choose **Patches › Installed**, select the patch and **Roll back**. Windows cumulative updates can only be rolled back within the period Windows allows."),
     ("Reverter um patch que quebrou uma aplicação", "Abra o dispositivo, escolha **Patches › Instalados**, selecione o patch e **Reverter**. Atualizações cumulativas do Windows só podem ser revertidas no prazo que o Windows permite."), "published"),
    ("SanerNow / Patch Management", ["scanning"],
     ("Scans stop at 40% with engine timeout", "Large networks can exceed the scan engine's default timeout. Split the scan into two ranges or raise **Scan timeout** to 120 minutes in the scan profile."),
     ("Varreduras param em 40% com timeout do motor", "Redes grandes podem passar do timeout padrão do motor de varredura. Divida a varredura em duas faixas ou aumente o **Timeout da varredura** para 120 minutos no perfil."), "published"),
    ("Xecuritas Scanner", ["scanning", "troubleshooting"],
     ("Scanner reports certificate errors on internal hosts", "Internal hosts often use a private certificate authority. Import the CA certificate under **Settings › Trusted CAs** and rerun the scan."),
     ("Scanner relata erros de certificado em hosts internos", "Hosts internos costumam usar uma autoridade certificadora privada. Importe o certificado da CA em **Configurações › CAs confiáveis** e rode a varredura de novo."), "published"),
    ("Xecuritas Scanner", ["licensing"],
     ("Licence count exceeded", "The licence counts scanned hosts over 30 days. Remove decommissioned hosts from **Assets** or ask your account manager for more licences."),
     ("Limite de licenças excedido", "A licença conta os hosts varridos em 30 dias. Remova hosts desativados em **Ativos** ou peça mais licenças ao seu gerente de conta."), "published"),
    ("Xecuritas Scanner", ["reports"],
     ("Schedule a monthly compliance report", "Open **Reports › New**, choose the compliance template, the asset group and **Monthly**. Reports are sent to the recipients as PDF on the first working day."),
     ("Agendar um relatório mensal de conformidade", "Abra **Relatórios › Novo**, escolha o modelo de conformidade, o grupo de ativos e **Mensal**. Os relatórios são enviados em PDF no primeiro dia útil."), "published"),
    ("Allure Security Platform", ["takedowns"],
     ("Request a takedown of an impersonating site", "Open the detection, check the evidence and choose **Request takedown**. Allure contacts the host and registrar; the status shows each step until the site is down."),
     ("Solicitar a derrubada de um site falso", "Abra a detecção, confira as evidências e escolha **Solicitar derrubada**. A Allure contata o provedor e o registrador; o status mostra cada etapa até o site sair do ar."), "published"),
    ("Allure Security Platform", ["alerts"],
     ("Alerts are not delivered to the SOC mailbox", "Check **Settings › Notifications** for the mailbox and that the SOC's mail gateway accepts messages from the platform's sending domain."),
     ("Alertas não chegam à caixa do SOC", "Confira a caixa em **Configurações › Notificações** e se o gateway de e-mail do SOC aceita mensagens do domínio de envio da plataforma."), "published"),
    ("&money Platform", ["payments", "troubleshooting"],
     ("Settlement file rejected by the bank", "Banks reject a settlement file when its batch total does not match the sum of its lines. Regenerate the file from **Settlements › Batches** after correcting the rejected lines."),
     ("Arquivo de liquidação rejeitado pelo banco", "Os bancos rejeitam um arquivo de liquidação quando o total do lote não bate com a soma das linhas. Gere o arquivo de novo em **Liquidações › Lotes** após corrigir as linhas rejeitadas."), "published"),
    ("&money Platform", ["sync"],
     ("Customer segments out of sync", "Segment synchronization runs every 15 minutes. A user/segment mismatch is usually a rule that references a deleted attribute: fix the rule and run **Sync now**."),
     ("Segmentos de clientes fora de sincronia", "A sincronização de segmentos roda a cada 15 minutos. Uma divergência entre usuário e segmento costuma ser uma regra que usa um atributo apagado: corrija a regra e rode **Sincronizar agora**."), "published"),
    ("", ["support"],
     ("How to write a ticket we can solve fast", "Describe one problem per ticket, the steps that reproduce it, the result you expected and the one you got, the software version and when it started. Attach logs and screenshots."),
     ("Como escrever um chamado que resolvemos rápido", "Descreva um problema por chamado, os passos que o reproduzem, o resultado esperado e o obtido, a versão do software e quando começou. Anexe logs e capturas de tela."), "published"),
]  # fmt: skip


def load(demo) -> None:
    authors = [demo.people[k] for k in ("felipe", "sara", "marina") if k in demo.people]
    articles = []
    for i, (product, categories, english, portuguese, status) in enumerate(ARTICLES):
        owner = authors[i % len(authors)]
        products = [product] if product else []
        original = do_create_article(
            owner, title=english[0], body_markdown=english[1], locale="en", status=status,
            products=products, categories=categories, now=demo.ago(days=90 - i),
        )  # fmt: skip
        do_create_article(
            owner, title=portuguese[0], body_markdown=portuguese[1], locale="pt-br",
            status=status, products=products, categories=categories, translation_of=original,
            slug=original.slug, now=demo.ago(days=89 - i),
        )  # fmt: skip
        articles.append(original)
    rafael, helena = demo.people.get("rafael"), demo.people.get("helena")
    if rafael is not None:
        do_vote(rafael, articles[0], helpful=True, now=demo.ago(days=3))
        do_vote(rafael, articles[2], helpful=False, reason="outdated",
                comment="The option is called 'Nested groups' in 3.31.", now=demo.ago(days=2))  # fmt: skip
        do_deflect(rafael, articles[1], query="password rotation failed", now=demo.ago(days=1))
    if helena is not None:
        do_vote(helena, articles[8], helpful=True, now=demo.ago(days=4))
